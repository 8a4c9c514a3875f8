import {
  type SubscribeReply,
  type SubscribingSocket,
  type Subscription,
  type Wait,
  liveEventsOf,
  subscribeAll,
  subscribeBody,
  subscribeRetrying,
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
    await expect(subscribeAll(socket, [{ agentId }, { taskId }, { runId }])).resolves.toEqual({
      acknowledged: [{ agentId }],
      refusedForNow: [],
    });
    expect(sent).toEqual([
      ['subscribe', { agentId, batch: true }],
      ['subscribe', { taskId }],
      ['subscribe', { runId }],
    ]);
    const ok = fakeSocket(() => ({ ok: true, room: 'task:x' }));
    await expect(subscribeAll(ok.socket, [{ taskId }])).resolves.toEqual({
      acknowledged: [{ taskId }],
      refusedForNow: [],
    });
  });

  it('tells the subjects refused only for now from those refused for good, with the longest wait asked', async () => {
    const taskId = '00000000-0000-4000-8000-000000000002';
    const runId = '00000000-0000-4000-8000-000000000003';
    const { socket } = fakeSocket((body) =>
      'agentId' in body
        ? limited(12)
        : 'taskId' in body
          ? limited(40)
          : { ok: false, error: { code: 'SERVICE_UNAVAILABLE', message: 'Rate limits cannot be checked' } },
    );
    await expect(subscribeAll(socket, [{ agentId }, { taskId }, { runId }])).resolves.toEqual({
      acknowledged: [],
      refusedForNow: [{ agentId }, { taskId }, { runId }],
      retryAfterSeconds: 40,
    });
  });
});

const limited = (retryAfter: number): SubscribeReply => ({
  ok: false,
  error: { code: 'RATE_LIMITED', message: 'Too many live messages; slow down', retryAfter },
});

/** A clock that only records what is waited for: `fire()` ends the oldest wait still on. */
function manualClock() {
  const waits: { ms: number; then: () => void; cancelled: boolean; done: boolean }[] = [];
  const after: Wait = (ms, then) => {
    const wait = { ms, then, cancelled: false, done: false };
    waits.push(wait);
    return () => (wait.cancelled = true);
  };
  const fire = async () => {
    const wait = waits.find((w) => !w.cancelled && !w.done);
    if (!wait) throw new Error('nothing is waited for');
    wait.done = true;
    wait.then();
    await settle();
  };
  return { after, waits, fire };
}
const noop = () => undefined;
/** Lets the replies' promises run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('subscribing again once the live budget opens', () => {
  const agentId = '00000000-0000-4000-8000-000000000001';
  const taskId = '00000000-0000-4000-8000-000000000002';

  /** Subscribes to the agent and the task, noting each round's acknowledged subjects. */
  function followBoth(
    socket: ReturnType<typeof fakeSocket>['socket'],
    clock: ReturnType<typeof manualClock>,
  ): Subscription[][] {
    const acknowledged: Subscription[][] = [];
    subscribeRetrying(
      [{ agentId }, { taskId }],
      () => socket,
      (s) => acknowledged.push(s),
      clock.after,
    );
    return acknowledged;
  }

  it('asks again for the subjects refused for the budget, only those, once it opens', async () => {
    let open = false;
    const { socket, sent } = fakeSocket((body) =>
      'taskId' in body && !open ? limited(5) : { ok: true, room: 'room' },
    );
    const clock = manualClock();
    const acknowledged = followBoth(socket, clock);
    await settle();
    expect(acknowledged).toEqual([[{ agentId }]]);
    // Not before the budget opens: 5 s, as the refusal said (more than the first backoff, 2 s).
    expect(clock.waits.map((w) => w.ms)).toEqual([5_000]);

    open = true;
    await clock.fire();
    expect(sent.slice(2)).toEqual([['subscribe', { taskId }]]);
    expect(acknowledged).toEqual([[{ agentId }], [{ taskId }]]);
    expect(clock.waits).toHaveLength(1);
  });

  it('backs off while the refusals go on, as reconnections do, and never sooner than asked', async () => {
    const { socket, sent } = fakeSocket(() => limited(1));
    const clock = manualClock();
    subscribeRetrying([{ taskId }], () => socket, noop, clock.after);
    await settle();
    for (let i = 0; i < 5; i += 1) await clock.fire();
    expect(clock.waits.map((w) => w.ms)).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(sent).toHaveLength(6);

    const patient = manualClock();
    subscribeRetrying([{ taskId }], () => fakeSocket(() => limited(45)).socket, noop, patient.after);
    await settle();
    expect(patient.waits.map((w) => w.ms)).toEqual([45_000]);
  });

  it('does not ask again for a subject refused for good, or whose answer was lost', async () => {
    const { socket, sent } = fakeSocket((body) =>
      'taskId' in body
        ? { ok: false, error: { code: 'NOT_FOUND', message: 'Task not found' } }
        : new Error('timed out'),
    );
    const clock = manualClock();
    const acknowledged = followBoth(socket, clock);
    await settle();
    expect(sent).toHaveLength(2);
    expect(clock.waits).toEqual([]);
    // Nothing more is coming: said with none acknowledged (a page paused until its subscription ends it goes on).
    expect(acknowledged).toEqual([[]]);
  });

  it('asks nothing once stopped, nor while disconnected (the connection subscribes again once back)', async () => {
    const { socket, sent } = fakeSocket(() => limited(3));
    const clock = manualClock();
    const stop = subscribeRetrying([{ taskId }], () => socket, noop, clock.after);
    await settle();
    stop();
    expect(clock.waits[0].cancelled).toBe(true);

    let connected = true;
    const again = manualClock();
    subscribeRetrying([{ taskId }], () => (connected ? socket : null), noop, again.after);
    await settle();
    connected = false;
    await again.fire();
    expect(sent).toHaveLength(2);
    expect(again.waits).toHaveLength(1);
  });

  it('waits on the real clock by default', async () => {
    jest.useFakeTimers();
    try {
      let open = false;
      const { socket, sent } = fakeSocket(() => (open ? { ok: true, room: 'room' } : limited(3)));
      const acknowledged: Subscription[][] = [];
      subscribeRetrying(
        [{ taskId }],
        () => socket,
        (s) => acknowledged.push(s),
      );
      await jest.advanceTimersByTimeAsync(2_999);
      expect(sent).toHaveLength(1);
      open = true;
      await jest.advanceTimersByTimeAsync(1);
      expect(sent).toHaveLength(2);
      expect(acknowledged).toEqual([[{ taskId }]]);
    } finally {
      jest.useRealTimers();
    }
  });
});
