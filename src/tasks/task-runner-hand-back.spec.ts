import { Logger } from '@nestjs/common';
import { UnrecoverableError, WaitingError } from 'bullmq';
import { AgentExecutionError } from '../agents/agent-type';
import { abortable, runnerSetup as setup } from '../../test/fakes/task-runner';

beforeAll(() => Logger.overrideLogger(false));

/** A worker that stops hands its running attempts back to the queue (TaskCancellation.handBackAll). */
describe('TaskRunner, as its worker stops', () => {
  it('hands an attempt back to the queue when its stopping worker aborts it: no outcome, the attempt left open', async () => {
    const t = setup();
    t.executes(
      (context) =>
        new Promise((_, reject) =>
          context.signal.addEventListener('abort', () => reject(new AgentExecutionError('CANCELLED', 'stopped', true))),
        ),
    );
    const running = t.run();
    await new Promise((resolve) => setImmediate(resolve));
    t.cancellation.handBackAll();
    await expect(running).rejects.toThrow(WaitingError);
    expect(t.movedToWait).toEqual(['token']);
    // Still running attempt 1, for the next worker to take over; nothing finished, no retry spent.
    expect(t.stored()).toMatchObject({ status: 'running', attempts: 1 });
    expect(t.state.attempts).toEqual([{ taskId: t.task.id, attempt: 1, status: 'running' }]);
    expect(t.events.statusesOf(t.task.id)).toEqual(['running']);
    expect(t.metrics.finished).toEqual([]);
    expect(t.finished).toEqual([]);
    expect(t.slots.held.size).toBe(0);
  });

  it('hands back a job taken as its worker began to stop without opening an attempt', async () => {
    const t = setup();
    t.cancellation.handBackAll();
    await expect(t.run()).rejects.toThrow(WaitingError);
    expect(t.movedToWait).toEqual(['token']);
    expect(t.stored()).toMatchObject({ status: 'queued', attempts: 0 });
    expect(t.state.attempts).toEqual([]);
    expect(t.events.statusesOf(t.task.id)).toEqual([]);
  });

  it('leaves the job to be taken over when Redis refuses the hand-back, and says so', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const t = setup();
      t.executes(abortable);
      t.refuseMoves(new Error('Missing lock for job'));
      const running = t.run();
      await new Promise((resolve) => setImmediate(resolve));
      t.cancellation.handBackAll();
      await expect(running).rejects.toThrow(WaitingError);
      expect(t.state.attempts).toEqual([{ taskId: t.task.id, attempt: 1, status: 'running' }]);
      expect(warn.mock.calls).toEqual([
        [{ taskId: t.task.id, attempt: 1 }, `task ${t.task.id} attempt 1 handed back: this worker is stopping`],
        [
          { taskId: t.task.id, attempt: 1 },
          `task ${t.task.id} attempt 1 not handed back (Missing lock for job): taken over once its lock lapses`,
        ],
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('records a cancel that comes after the hand-back as the cancel it is, and does not hand the task back', async () => {
    const t = setup();
    // The executor unwinds slowly: the cancel arrives while it does.
    t.executes(
      (context) =>
        new Promise((_, reject) =>
          context.signal.addEventListener('abort', () =>
            setTimeout(() => reject(new AgentExecutionError('CANCELLED', 'stopped', false)), 5),
          ),
        ),
    );
    const running = t.run();
    await new Promise((resolve) => setImmediate(resolve));
    t.cancellation.handBackAll();
    t.cancellation.abort(t.task.id);
    await expect(running).rejects.toThrow(UnrecoverableError);
    expect(t.movedToWait).toEqual([]);
    expect(t.state.attempts[0]).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
  });

  it('closes the open attempt of a task cancelled after its job was handed back, when the job comes again', async () => {
    const t = setup({ status: 'cancelled', attempts: 1 });
    t.state.attempts.push({ taskId: t.task.id, attempt: 1, status: 'running' });
    await expect(t.run()).resolves.toEqual({ skipped: 'not runnable' });
    expect(t.state.attempts).toEqual([
      { taskId: t.task.id, attempt: 1, status: 'cancelled', error: { code: 'CANCELLED', message: 'Cancelled' } },
    ]);
  });

  it('does not take an attempt that failed on its own for a hand-back', async () => {
    const t = setup({ maxAttempts: 1, timeoutMs: 20 });
    let unwind!: () => void;
    const unwound = new Promise<void>((resolve) => (unwind = resolve));
    // Timed out, and still unwinding when the worker begins to stop.
    t.executes(
      (context) =>
        new Promise((_, reject) =>
          context.signal.addEventListener(
            'abort',
            () => void unwound.then(() => reject(new AgentExecutionError('TIMEOUT', 'timed out', true))),
          ),
        ),
    );
    const running = t.run();
    running.catch(() => undefined);
    while (!t.cancellation.controllers.get(t.task.id)?.signal.aborted)
      await new Promise((resolve) => setTimeout(resolve, 5));
    t.cancellation.handBackAll();
    unwind();
    await expect(running).rejects.toThrow(UnrecoverableError);
    expect(t.movedToWait).toEqual([]);
    expect(t.stored()).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
  });
});
