import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import type { Task } from '../tasks/task';
import { FakeTaskStore } from '../../test/fakes/tasks';
import { newTask } from '../tasks/new-task';
import type { CatchUpDeps } from './ports';
import { WebhookCatchUp } from './webhook-catch-up';

const PERIOD_MS = 1000;

const finishedTask = (createdBy: string, finishedAt: Date): Task => ({
  ...newTask(createdBy, { id: 'agent-1' }, { agentId: 'agent-1', input: {} }, {}),
  status: 'succeeded',
  finishedAt,
});

/** Redis's `get`, `set` and `del` of the cursors, in memory. */
class FakeCursors implements Pick<CatchUpDeps['cursors'], 'get' | 'set' | 'del'> {
  readonly values = new Map<string, string>();
  get = (async (key: string) => this.values.get(key) ?? null) as CatchUpDeps['cursors']['get'];
  set = (async (key: string, value: string) => {
    this.values.set(key, value);
    return 'OK';
  }) as CatchUpDeps['cursors']['set'];
  del = (async (key: string) => Number(this.values.delete(key))) as CatchUpDeps['cursors']['del'];
}

function setup(finished: number, creator = randomUUID()) {
  const tasks = new FakeTaskStore();
  const start = Date.now() - 60_000;
  for (let i = 0; i < finished; i++) {
    const task = finishedTask(creator, new Date(start + i));
    tasks.tasks.set(task.id, task);
  }
  const dispatched: string[] = [];
  const cursors = new FakeCursors();
  const catchUp = new WebhookCatchUp(
    { webhooks: { reconcileIntervalMs: PERIOD_MS } } as AppConfig,
    cursors,
    { subscribedCreators: async () => [creator] },
    { dispatch: async (conclusion) => void dispatched.push(conclusion.id) },
    { finishedBetween: (after, until, creators, limit) => tasks.finishedBetween(after, until, creators, limit) },
    { concludedBetween: async () => [] },
  );
  return { tasks, dispatched, cursors, catchUp };
}

describe('WebhookCatchUp', () => {
  it('follows every finish once per pass, in batches, and none again on the next pass', async () => {
    const { dispatched, catchUp } = setup(1200);
    expect(await catchUp.run()).toEqual({ tasks: 1200, runs: 0 });
    expect(new Set(dispatched).size).toBe(1200);
    expect(await catchUp.run()).toEqual({ tasks: 0, runs: 0 });
  });

  it('leaves the rest of a long backlog to the next pass, from where it stopped', async () => {
    const { dispatched, catchUp } = setup(5200);
    expect((await catchUp.run()).tasks).toBe(5000);
    expect((await catchUp.run()).tasks).toBe(200);
    expect(new Set(dispatched).size).toBe(5200);
  });

  it('goes back over the window when its cursor is lost, and leaves the last two periods alone', async () => {
    const { tasks, dispatched, cursors, catchUp } = setup(10);
    const recent = finishedTask([...tasks.tasks.values()][0].createdBy, new Date());
    tasks.tasks.set(recent.id, recent);
    await catchUp.run();
    cursors.values.clear();
    await catchUp.run();
    expect(dispatched).toHaveLength(20);
    expect(dispatched).not.toContain(recent.id);
  });

  it.each(['not json', '"2026-01-01"', '{"at":"never","id":"00000000-0000-0000-0000-000000000000"}', '{"at":1}'])(
    'takes a stored value that is not a cursor (%s) as lost, and replaces it',
    async (garbled) => {
      const { dispatched, cursors, catchUp } = setup(10);
      cursors.values.set('webhooks:catch-up:tasks', garbled);
      expect(await catchUp.run()).toEqual({ tasks: 10, runs: 0 });
      expect(new Set(dispatched).size).toBe(10);
      expect(JSON.parse(cursors.values.get('webhooks:catch-up:tasks')!)).toMatchObject({ id: expect.any(String) });
    },
  );
});
