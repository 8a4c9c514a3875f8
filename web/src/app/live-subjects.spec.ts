import {
  type SubscribeReply,
  type SubscribingSocket,
  type Subscription,
  liveEventsOf,
  subscribeAll,
  subscribeBody,
} from './live-subjects';

/** A socket whose server acknowledges each `subscribe` as `answer` says (a rejection: no answer in time). */
function fakeSocket(answer: (body: Subscription) => SubscribeReply | Error) {
  const sent: unknown[] = [];
  const socket: SubscribingSocket = {
    emitWithAck: (event, body) => {
      sent.push([event, body]);
      const reply = answer(body);
      return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
    },
  };
  return { socket, sent };
}

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

  it('resolves, once every subscription is answered, with the subjects the server acknowledged', async () => {
    const taskId = '00000000-0000-4000-8000-000000000002';
    const runId = '00000000-0000-4000-8000-000000000003';
    const { socket, sent } = fakeSocket((body) =>
      'runId' in body
        ? new Error('operation has timed out')
        : 'taskId' in body
          ? { ok: false, error: { code: 'NOT_FOUND', message: 'Task not found' } }
          : { ok: true, room: `agent:${agentId}` },
    );
    await expect(subscribeAll(socket, [{ agentId }, { taskId }, { runId }])).resolves.toEqual([{ agentId }]);
    expect(sent).toEqual([
      ['subscribe', { agentId, batch: true }],
      ['subscribe', { taskId }],
      ['subscribe', { runId }],
    ]);
    const ok = fakeSocket(() => ({ ok: true, room: 'task:x' }));
    await expect(subscribeAll(ok.socket, [{ taskId }])).resolves.toEqual([{ taskId }]);
  });
});
