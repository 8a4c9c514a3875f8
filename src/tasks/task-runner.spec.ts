import { Logger } from '@nestjs/common';
import { DelayedError, UnrecoverableError } from 'bullmq';
import { AgentExecutionError } from '../agents/agent-type';
import { AGENT, runnerSetup as setup } from '../../test/fakes/task-runner';
import { RetryLaterError } from './attempt-errors';

beforeAll(() => Logger.overrideLogger(false));

describe('TaskRunner', () => {
  it('runs an attempt to success: output stored, attempt closed, watchers, metrics and runs told', async () => {
    const t = setup();
    await expect(t.run()).resolves.toEqual({ taskId: t.task.id });
    expect(t.stored()).toMatchObject({ status: 'succeeded', attempts: 1, output: { answer: 42 }, progress: 100 });
    expect(t.state.attempts).toEqual([{ taskId: t.task.id, attempt: 1, status: 'succeeded', error: null }]);
    expect(t.events.statusesOf(t.task.id)).toEqual(['running', 'succeeded']);
    expect(t.metrics.finished).toEqual([{ agentType: 'scripted', status: 'succeeded' }]);
    expect(t.finished).toEqual(['succeeded']);
    expect(t.slots.held.size).toBe(0);
  });

  it('gives its slots back before the outcome is written, which may start the next task at once', async () => {
    for (const fails of [false, true]) {
      const t = setup({ maxAttempts: 1 }, { concurrencyPerKey: 1 }, { concurrencyKey: 'acme' });
      if (fails) t.executes(async () => Promise.reject(new AgentExecutionError('NOPE', 'no', false)));
      const heldWhenFinished: boolean[] = [];
      t.lifecycle.onFinished(async () => {
        heldWhenFinished.push(t.slots.held.has(t.task.id), t.flow.held.get('acme')?.has(t.task.id) ?? false);
      });
      await t.run().catch(() => undefined);
      expect(t.stored().status).toBe(fails ? 'failed' : 'succeeded');
      expect(heldWhenFinished).toEqual([false, false]);
    }
  });

  it('asks nothing of flow control for a task with neither concurrency key nor expiry', async () => {
    const t = setup({}, { concurrencyPerKey: 1 });
    await t.run();
    expect(t.stored().status).toBe('succeeded');
    expect(t.flow.calls).toBe(0);
  });

  it('parks a task whose key is full without starting it or taking an agent slot, and wakes it when a slot frees', async () => {
    const first = setup({}, { concurrencyPerKey: 1 }, { concurrencyKey: 'acme' });
    first.flow.held.set('acme', new Set(['other-task']));
    await expect(first.run()).rejects.toBeInstanceOf(DelayedError);
    expect(first.stored()).toMatchObject({ status: 'queued', attempts: 0 });
    expect(first.slots.held.size).toBe(0);
    expect(first.flow.parked).toEqual([first.task.id]);
    expect(first.delays[0]).toBeGreaterThan(1000);

    first.flow.held.set('acme', new Set());
    await first.run();
    expect(first.stored().status).toBe('succeeded');
    expect(first.flow.held.get('acme')?.size).toBe(0);
  });

  it('gives the key slot back, waking nobody, when the agent itself is busy', async () => {
    const t = setup({}, { concurrencyPerKey: 2 }, { concurrencyKey: 'acme' });
    t.flow.parked.push('waiting-task');
    t.slots.busy = true;
    await expect(t.run()).rejects.toBeInstanceOf(DelayedError);
    expect(t.flow.held.get('acme')?.size).toBe(0);
    expect(t.flow.woken).toEqual([]);
    expect(t.stored().status).toBe('queued');
  });

  it('expires a task picked up past its expiry time, never running it', async () => {
    const t = setup({}, {}, { expireAt: Date.now() - 1 });
    t.flow.due.add(t.task.id);
    let ran = false;
    t.executes(async () => {
      ran = true;
      return { answer: 1 };
    });
    await expect(t.run()).resolves.toEqual({ skipped: 'expired' });
    expect(ran).toBe(false);
    expect(t.flow.expired).toEqual([t.task.id]);
    expect(t.slots.held.size).toBe(0);
  });

  it('runs on a task past its expiry time that had already started (taken over after its worker died)', async () => {
    const t = setup({ status: 'running', attempts: 1 }, {}, { expireAt: Date.now() - 1 });
    await t.run();
    expect(t.stored().status).toBe('succeeded');
    expect(t.flow.expired).toEqual([]);
  });

  it('logs a takeover of an attempt whose worker stopped responding, with its ids only, and no line for a new one', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const fresh = setup();
      await fresh.run();
      expect(warn).not.toHaveBeenCalled();
      const t = setup({ status: 'running', attempts: 2, input: { secret: 'in the input' } });
      await t.run();
      expect(t.stored()).toMatchObject({ status: 'succeeded', attempts: 2 });
      expect(warn.mock.calls).toEqual([
        [
          { taskId: t.task.id, agentId: AGENT, attempt: 2, previousWorkerId: 'worker-that-died' },
          `task ${t.task.id} attempt 2 was taken over from a worker that stopped responding or handed it back`,
        ],
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('retries a retryable failure after a backoff, without telling runs it finished', async () => {
    const t = setup({ backoffMs: 1000 });
    t.executes(async () => {
      throw new AgentExecutionError('UPSTREAM', 'the model was busy', true);
    });
    const failure = await t.run().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RetryLaterError);
    expect((failure as RetryLaterError).delayMs).toBeGreaterThanOrEqual(500);
    expect((failure as RetryLaterError).delayMs).toBeLessThanOrEqual(1500);
    expect(t.stored()).toMatchObject({ status: 'retrying', error: { code: 'UPSTREAM' } });
    expect(t.stored().nextAttemptAt).toBeInstanceOf(Date);
    expect(t.finished).toEqual([]);
  });

  it('fails for good on the last attempt, on a non-retryable error, and on output the type does not allow', async () => {
    const last = setup({ maxAttempts: 1 });
    last.executes(async () => {
      throw new AgentExecutionError('UPSTREAM', 'still busy', true);
    });
    await expect(last.run()).rejects.toThrow(UnrecoverableError);
    expect(last.stored()).toMatchObject({ status: 'failed', error: { code: 'UPSTREAM' } });

    const fatal = setup();
    fatal.executes(async () => {
      throw new AgentExecutionError('BAD_INPUT', 'cannot do that', false);
    });
    await expect(fatal.run()).rejects.toThrow(UnrecoverableError);
    expect(fatal.stored()).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'BAD_INPUT' } });
    expect(fatal.finished).toEqual(['failed']);

    const wrong = setup();
    wrong.executes(async () => ({ unexpected: true }));
    await expect(wrong.run()).rejects.toThrow(UnrecoverableError);
    expect(wrong.stored().error).toMatchObject({ code: 'BAD_OUTPUT' });
  });

  it('counts an executor’s unexpected exception as a retryable internal failure, its message kept out', async () => {
    const t = setup();
    t.executes(async () => {
      throw new TypeError('secret at /home/app/key.pem');
    });
    await expect(t.run()).rejects.toBeInstanceOf(RetryLaterError);
    expect(t.stored().error).toEqual({ code: 'INTERNAL', message: 'The executor failed unexpectedly' });
  });

  it('stops an attempt that is cancelled: its attempt row says so and the task is left as the cancel wrote it', async () => {
    const t = setup();
    t.executes(
      (context) =>
        new Promise((_, reject) =>
          context.signal.addEventListener('abort', () =>
            reject(new AgentExecutionError('CANCELLED', 'stopped', false)),
          ),
        ),
    );
    const running = t.run();
    await new Promise((resolve) => setImmediate(resolve));
    t.cancellation.abort(t.task.id);
    await expect(running).rejects.toThrow(UnrecoverableError);
    expect(t.state.attempts[0]).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
    expect(t.metrics.finished).toEqual([{ agentType: 'scripted', status: 'cancelled' }]);
  });

  it('aborts an attempt at its timeout', async () => {
    const t = setup({ timeoutMs: 20, maxAttempts: 1 });
    t.executes(
      (context) =>
        new Promise((_, reject) =>
          context.signal.addEventListener('abort', () =>
            reject(new AgentExecutionError('TIMEOUT', String((context.signal.reason as Error).name), true)),
          ),
        ),
    );
    await expect(t.run()).rejects.toThrow(UnrecoverableError);
    expect(t.stored().error).toEqual({ code: 'TIMEOUT', message: 'TimeoutError' });
  });

  it('records nothing over a task that changed meanwhile, and closes its attempt as superseded', async () => {
    const t = setup();
    t.executes(async () => {
      t.state.tasks.get(t.task.id)!.status = 'cancelled';
      return { answer: 1 };
    });
    await t.run();
    expect(t.stored().status).toBe('cancelled');
    expect(t.state.attempts[0]).toMatchObject({ status: 'cancelled', error: { code: 'SUPERSEDED' } });
    expect(t.events.statusesOf(t.task.id)).toEqual(['running']);
  });

  it('stores a failure in place of an output Postgres refuses, so the task never stays running', async () => {
    const t = setup();
    t.state.refuseOutcome = 'succeeded';
    await expect(t.run()).rejects.toThrow('the output could not be stored');
    expect(t.stored()).toMatchObject({ status: 'failed', error: { code: 'OUTPUT_NOT_STORABLE' } });
  });

  it('puts the job back without spending an attempt while the agent is paused or at its concurrency', async () => {
    const paused = setup({}, { status: 'paused' });
    await expect(paused.run()).rejects.toThrow(DelayedError);
    expect(paused.delays).toHaveLength(1);
    // Parked, to be woken by the resume: it looks again by itself only after a long while.
    expect(paused.delays[0]).toBeGreaterThan(29_000);
    expect([...paused.flow.pausedParked]).toEqual([paused.task.id]);
    expect(paused.stored()).toMatchObject({ status: 'queued', attempts: 0 });

    const busy = setup();
    busy.slots.busy = true;
    await expect(busy.run()).rejects.toThrow(DelayedError);
    expect(busy.stored().attempts).toBe(0);
  });

  it('runs a task whose agent was resumed while it was being parked, taking it back out of the parked set', async () => {
    const t = setup({}, { status: 'paused' });
    // The resume's wake-up came before the task was parked, and found nothing to wake.
    const park = t.flow.parkPaused.bind(t.flow);
    t.flow.parkPaused = async (agentId, taskId) => {
      const recheckMs = await park(agentId, taskId);
      t.agents.agents.set(AGENT, { ...t.agents.agents.get(AGENT)!, status: 'active' });
      return recheckMs;
    };
    await t.run();
    expect(t.delays).toEqual([]);
    expect(t.flow.pausedParked.size).toBe(0);
    expect(t.stored()).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('fails the task of a deleted agent for good', async () => {
    const t = setup();
    t.agents.deleted.add(AGENT);
    await expect(t.run()).rejects.toThrow(UnrecoverableError);
    expect(t.stored()).toMatchObject({ status: 'failed', error: { code: 'AGENT_DELETED' } });
  });

  it('spaces out progress writes, and always writes the last', async () => {
    const t = setup();
    t.executes(async (context) => {
      for (const percent of [10, 20, 30, 100]) await context.progress(percent);
      return { answer: 1 };
    });
    await t.run();
    expect(t.state.progressWrites).toEqual([10, 100]);
  });
});
