import { liveEventsOf, subscribeBody } from './live-subjects';

describe('live subjects', () => {
  const agentId = '00000000-0000-4000-8000-000000000001';

  it('asks for an agent’s events in batches, and a task’s or a run’s one by one', () => {
    expect(subscribeBody({ agentId })).toEqual({ agentId, batch: true });
    expect(subscribeBody({ taskId: agentId })).toEqual({ taskId: agentId });
    expect(subscribeBody({ runId: agentId })).toEqual({ runId: agentId });
  });

  it('hands over each event of a tasks.updated array as a task.updated, in order, the same objects', () => {
    const events = [
      { taskId: 't1', status: 'queued' },
      { taskId: 't1', status: 'running' },
      { taskId: 't2', status: 'queued' },
    ];
    const live = liveEventsOf('tasks.updated', events);
    expect(live.map((e) => e.name)).toEqual(['task.updated', 'task.updated', 'task.updated']);
    expect(live.map((e) => e.payload)).toEqual(events);
    expect(live[0].payload).toBe(events[0]);
    expect(liveEventsOf('tasks.updated', { taskId: 't1' })).toEqual([]);
  });

  it('hands over any other event as it came', () => {
    const payload = { taskId: 't1', status: 'running' };
    expect(liveEventsOf('task.updated', payload)).toEqual([{ name: 'task.updated', payload }]);
    expect(liveEventsOf('run.updated', payload)).toEqual([{ name: 'run.updated', payload }]);
  });
});
