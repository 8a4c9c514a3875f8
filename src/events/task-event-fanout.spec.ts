import { Subject, takeWhile } from 'rxjs';
import type { EventBus, RunEvent, TaskEvent, TaskOutputDelta } from './event-bus';
import { sseFrame, TaskEventFanout, type TaskStreamEvent } from './task-event-fanout';

const event = (over: Partial<TaskEvent> = {}): TaskEvent => ({
  taskId: 't1',
  agentId: 'a1',
  createdBy: 'u1',
  status: 'running',
  progress: 0,
  progressMessage: null,
  attempts: 1,
  error: null,
  updatedAt: '2026-12-02T00:00:00.000Z',
  ...over,
});

const delta = (taskId: string, seq: number): TaskOutputDelta => ({ taskId, attempt: 1, seq, delta: `d${seq}` });

const run = (runId: string, status = 'running'): RunEvent => ({
  runId,
  workflowId: 'w1',
  createdBy: 'u1',
  status,
  steps: [],
  updatedAt: '2026-12-02T00:00:00.000Z',
});

describe('TaskEventFanout', () => {
  const bus = new Subject<TaskEvent>();
  const deltas = new Subject<TaskOutputDelta>();
  const runs = new Subject<RunEvent>();
  const fanout = new TaskEventFanout({
    events: () => bus.asObservable(),
    outputDeltas: () => deltas.asObservable(),
    runEvents: () => runs.asObservable(),
  } as unknown as EventBus);

  it("sends an event to its rooms' listeners only, as one frame for all", () => {
    const frames: Record<string, string[]> = { all: [], mine: [], other: [], task: [] };
    const stops = [
      fanout.listen('agent:a1:all', (f) => frames.all.push(f)),
      fanout.listen('agent:a1:user:u1', (f) => frames.mine.push(f)),
      fanout.listen('agent:a1:user:u2', (f) => frames.other.push(f)),
      fanout.listen('task:t1', (f) => frames.task.push(f)),
      fanout.listen('agent:a2:all', (f) => frames.other.push(f)),
    ];
    bus.next(event());
    expect(frames.all).toEqual([sseFrame('task', event())]);
    expect(frames.mine).toEqual(frames.all);
    expect(frames.task).toEqual(frames.all);
    expect(frames.other).toEqual([]);
    for (const stop of stops) stop();
    expect(fanout.size).toBe(0);
    // With nobody listening the bus is no longer read; the deltas and runs were never read for these rooms.
    expect(bus.observed).toBe(false);
    expect(deltas.observed).toBe(false);
    expect(runs.observed).toBe(false);
  });

  it("streams a task's events and output deltas, in order, to that task's followers only", () => {
    const got: Record<string, TaskStreamEvent[]> = { t1: [], t1Again: [], t2: [] };
    const frames: string[] = [];
    const subscriptions = [
      fanout.followTask('t1').subscribe((e) => got.t1.push(e)),
      fanout.followTask('t1').subscribe((e) => got.t1Again.push(e)),
      fanout.followTask('t2').subscribe((e) => got.t2.push(e)),
    ];
    const stopAgent = fanout.listen('agent:a1:all', (f) => frames.push(f));
    bus.next(event({ taskId: 't1' }));
    deltas.next(delta('t1', 1));
    bus.next(event({ taskId: 't3' }));
    deltas.next(delta('t3', 1));
    deltas.next(delta('t2', 1));
    bus.next(event({ taskId: 't2', status: 'succeeded' }));
    bus.next(event({ taskId: 't1', status: 'succeeded' }));
    expect(got.t1).toEqual([event({ taskId: 't1' }), delta('t1', 1), event({ taskId: 't1', status: 'succeeded' })]);
    expect(got.t1Again).toEqual(got.t1);
    expect(got.t2).toEqual([delta('t2', 1), event({ taskId: 't2', status: 'succeeded' })]);
    // The agent's stream still gets every task of the agent, and no delta.
    expect(frames).toHaveLength(4);
    expect(fanout.size).toBe(4);
    for (const subscription of subscriptions) subscription.unsubscribe();
    stopAgent();
    expect(fanout.size).toBe(0);
    expect(bus.observed).toBe(false);
    expect(deltas.observed).toBe(false);
  });

  it("streams a run's events to that run's followers only", () => {
    const got: Record<string, RunEvent[]> = { r1: [], r2: [] };
    const subscriptions = [
      fanout.followRun('r1').subscribe((e) => got.r1.push(e)),
      fanout.followRun('r2').subscribe((e) => got.r2.push(e)),
    ];
    // A run's stream reads neither task events nor deltas.
    expect(bus.observed).toBe(false);
    expect(deltas.observed).toBe(false);
    runs.next(run('r1'));
    runs.next(run('r3'));
    runs.next(run('r2', 'succeeded'));
    expect(got).toEqual({ r1: [run('r1')], r2: [run('r2', 'succeeded')] });
    for (const subscription of subscriptions) subscription.unsubscribe();
    expect(fanout.size).toBe(0);
    expect(runs.observed).toBe(false);
  });

  it("leaves a task's room once its stream takes the final event, within the call", () => {
    const got: string[] = [];
    fanout
      .followTask('t1')
      .pipe(takeWhile((e) => !('status' in e) || e.status !== 'succeeded', true))
      .subscribe((e) => got.push('status' in e ? e.status : 'delta'));
    const kept: TaskStreamEvent[] = [];
    const keptSubscription = fanout.followTask('t1').subscribe((e) => kept.push(e));
    bus.next(event({ taskId: 't1', status: 'succeeded' }));
    expect(fanout.size).toBe(1);
    bus.next(event({ taskId: 't1', status: 'succeeded', progress: 100 }));
    expect(got).toEqual(['succeeded']);
    expect(kept).toHaveLength(2);
    keptSubscription.unsubscribe();
  });

  it('ends the open task and run streams when the process stops', () => {
    const own = new TaskEventFanout({
      events: () => bus.asObservable(),
      outputDeltas: () => deltas.asObservable(),
      runEvents: () => runs.asObservable(),
    } as unknown as EventBus);
    const ended: string[] = [];
    own.followTask('t1').subscribe({ complete: () => ended.push('task') });
    own.followRun('r1').subscribe({ complete: () => ended.push('run') });
    own.listen('agent:a1:all', () => undefined);
    own.onModuleDestroy();
    expect(ended).toEqual(['task', 'run']);
    expect(own.size).toBe(0);
    expect(bus.observed || deltas.observed || runs.observed).toBe(false);
  });

  it('stops sending to a listener once stopped, also from within its own call', () => {
    const got: string[] = [];
    const stop = fanout.listen('agent:a1:all', (_f, e) => {
      got.push(e.status);
      stop();
    });
    const kept: string[] = [];
    const stopKept = fanout.listen('agent:a1:all', (_f, e) => kept.push(e.status));
    bus.next(event({ status: 'running' }));
    bus.next(event({ status: 'succeeded' }));
    expect(got).toEqual(['running']);
    expect(kept).toEqual(['running', 'succeeded']);
    stopKept();
  });

  it('writes a frame as one data line, whatever the text holds', () => {
    expect(sseFrame('task', { m: 'a\nb' })).toBe('event: task\ndata: {"m":"a\\nb"}\n\n');
  });
});
