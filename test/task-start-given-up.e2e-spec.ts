import { TaskQueue } from '../src/tasks/task-queue';
import { TaskReconciler } from '../src/tasks/task-reconciler';
import { createAgent, settled, submitTask } from './factories/tasks';
import { createUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/**
 * A worker that cannot write a task's start to Postgres spends the job's attempts without opening one of the
 * task's: the job ends failed while Postgres still says the task is queued. The reconciler queues it again.
 */
describe('a task whose job ended before it could start', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { QUEUE_RECONCILE_INTERVAL_MS: '600000' } });
  });
  afterAll(async () => {
    await t?.dataSource.query(`DROP TRIGGER IF EXISTS refuse_start ON tasks`).catch(() => undefined);
    await t?.close();
  });

  it('is queued again by the reconciler and runs once, its result recorded', async () => {
    const op = await createUser(t, 'operator');
    const agent = await createAgent(t, op, { type: 'calculator' });
    // Postgres refuses this task's start, as a database that is away would.
    await t.dataSource.query(`
      CREATE OR REPLACE FUNCTION refuse_start() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'running' AND NEW.input->>'expression' = '6 * 7' THEN RAISE EXCEPTION 'start refused'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_start BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION refuse_start();`);
    const task = await submitTask(t, op, { agentId: agent.id, input: { expression: '6 * 7' }, maxAttempts: 1 });
    const queue = t.app.get(TaskQueue).queue;
    await waitFor(async () => ((await queue.getJobState(task.id)) === 'failed' ? true : undefined), 20_000, 100);
    const [row] = await t.dataSource.query(`SELECT status, attempts FROM tasks WHERE id = $1`, [task.id]);
    expect(row).toEqual({ status: 'queued', attempts: 0 });

    await t.dataSource.query(`DROP TRIGGER refuse_start ON tasks`);
    // Past the settle window, as a task left waiting for a while is.
    await t.dataSource.query(`UPDATE tasks SET updated_at = now() - interval '1 minute' WHERE id = $1`, [task.id]);
    expect(await t.app.get(TaskReconciler).reconcileOnce()).toBe(1);

    const done = await settled(t, op, task.id, 20_000);
    expect(done).toMatchObject({ status: 'succeeded', output: { result: 42 }, attempts: 1 });
    const attempts = await t.dataSource.query(`SELECT count(*)::int AS n FROM task_attempts WHERE task_id = $1`, [
      task.id,
    ]);
    expect(attempts).toEqual([{ n: 1 }]);
    expect(await t.app.get(TaskReconciler).reconcileOnce()).toBe(0);
  }, 60_000);
});
