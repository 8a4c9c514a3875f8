import { Subject } from 'rxjs';
import type { EventBus, TaskEvent } from './event-bus';
import { sseFrame, TaskEventFanout } from './task-event-fanout';

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

describe('TaskEventFanout', () => {
  const bus = new Subject<TaskEvent>();
  const fanout = new TaskEventFanout({ events: () => bus.asObservable() } as unknown as EventBus);

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
    // With nobody listening the bus is no longer read.
    expect(bus.observed).toBe(false);
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
