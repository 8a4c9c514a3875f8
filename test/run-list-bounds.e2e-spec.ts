import request from 'supertest';
import { bearer, createUser, type TestUser } from './factories/users';
import { createWorkflow, startRun } from './factories/workflows';
import { createTestApp, type TestApp } from './utils/test-app';

interface RunStep {
  id: string;
  kind: string;
  status: string;
  output: unknown;
  outputOmitted?: boolean;
}
interface ListedRun {
  id: string;
  status: string;
  steps: RunStep[] | null;
  stepCount: number;
  openStepCount: number;
  stepsOmitted: boolean;
}

const FINAL = ['succeeded', 'failed', 'skipped', 'cancelled'];
const A_YEAR = 365 * 24 * 3600 * 1000;

/**
 * `count` steps that cost nothing while the run waits: an approval `gate`, a wait skipped at once (`never`), and
 * waits of a year behind the gate, their ids `idLength` characters long.
 */
function gated(count: number, idLength: number): Record<string, unknown>[] {
  return [
    { id: 'gate', kind: 'approval' },
    { id: 'never', kind: 'wait', durationMs: 1, when: { field: 'input.go', op: 'eq', value: true } },
    ...Array.from({ length: count - 2 }, (_, i) => ({
      id: `w${i}_`.padEnd(idLength, 'x'),
      kind: 'wait',
      durationMs: A_YEAR,
      dependsOn: ['gate'],
    })),
  ];
}

describe('lists of runs bound the steps they carry', () => {
  let t: TestApp;
  let op: TestUser;
  /** A workflow of 1,000 steps with ids of 100 characters: a run of it is 280 kB of steps in a list. */
  let big: string;
  let waiting: string;
  let approved: string;
  let cancelled: string;
  /** A workflow of exactly 200 steps: as many as a page of up to 50 runs lists of a run. */
  let edge: string;
  let edgeRun: string;
  let small: string;
  let smallRun: string;

  beforeAll(async () => {
    t = await createTestApp();
    op = await createUser(t, 'operator');
    big = await createWorkflow(t, op, { name: 'big', steps: gated(1000, 100) });
    [waiting, approved, cancelled] = [
      (await startRun(t, op, big, {})).id,
      (await startRun(t, op, big, {})).id,
      (await startRun(t, op, big, {})).id,
    ];
    await send(`/api/v1/workflow-runs/${approved}/steps/gate/approve`);
    await send(`/api/v1/workflow-runs/${cancelled}/cancel`);
    edge = await createWorkflow(t, op, { name: 'edge', steps: gated(200, 10) });
    edgeRun = (await startRun(t, op, edge, {})).id;
    small = await createWorkflow(t, op, { name: 'small', steps: gated(3, 10) });
    smallRun = (await startRun(t, op, small, {})).id;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  async function send(url: string): Promise<void> {
    await request(t.http)
      .post(url)
      .set(...bearer(op))
      .send({})
      .expect(200);
  }

  const page = async (url: string) => {
    const res = await request(t.http)
      .get(url)
      .set(...bearer(op))
      .expect(200);
    return { bytes: Buffer.byteLength(res.text), runs: (res.body as { data: ListedRun[] }).data };
  };
  const whole = async (runId: string) =>
    (
      await request(t.http)
        .get(`/api/v1/workflow-runs/${runId}`)
        .set(...bearer(op))
        .expect(200)
    ).body.data as ListedRun & { steps: RunStep[] };
  const open = (run: { steps: RunStep[] }) => run.steps.filter((step) => !FINAL.includes(step.status)).length;

  it.each([
    ['of every workflow', () => `/api/v1/workflow-runs?workflowId=${big}&limit=1000`],
    ['of the workflow', () => `/api/v1/workflows/${big}/runs?limit=1000`],
  ])('leave out the steps of runs of 1,000 in the list %s, saying how many they have', async (_label, url) => {
    const { bytes, runs } = await page(url());
    // Three runs of 1,000 steps were 840 kB of steps; each is now a few hundred bytes.
    expect(bytes).toBeLessThan(8 * 1024);
    expect(runs.map((run) => run.id)).toEqual([cancelled, approved, waiting]);
    for (const run of runs) {
      expect(run).toMatchObject({ steps: null, stepCount: 1000, stepsOmitted: true });
      expect(run.openStepCount).toBe(open(await whole(run.id)));
    }
    // Waiting at the gate: all but the skipped step; approved: the gate is over too; cancelled: none.
    expect(runs.map((run) => [run.status, run.openStepCount])).toEqual([
      ['cancelled', 0],
      ['running', 998],
      ['running', 999],
    ]);
  });

  it('still gives every step of such a run on its own page', async () => {
    const run = await whole(approved);
    expect(run).not.toHaveProperty('stepsOmitted');
    expect(run.steps).toHaveLength(1000);
    expect(run.steps.map((step) => step.id)).toEqual(gated(1000, 100).map((step) => step.id));
    expect(run.steps.slice(0, 3)).toMatchObject([
      { id: 'gate', kind: 'approval', status: 'succeeded', output: { approved: true } },
      { id: 'never', kind: 'wait', status: 'skipped' },
      { id: 'w0_'.padEnd(100, 'x'), kind: 'wait', status: 'waiting' },
    ]);
    const cancelledRun = await whole(cancelled);
    expect(cancelledRun.steps.filter((step) => step.status === 'cancelled')).toHaveLength(999);
  });

  it.each([1, 50, 1000])('lists a small run with its steps as before, on a page of %i', async (limit) => {
    const { runs } = await page(`/api/v1/workflows/${small}/runs?limit=${limit}`);
    const [run] = runs;
    expect(run).toMatchObject({ id: smallRun, stepCount: 3, openStepCount: 2, stepsOmitted: false });
    // Every field of every step as the run itself has it, the output aside (none of them has one yet).
    expect(run.steps).toEqual((await whole(smallRun)).steps.map((step) => ({ ...step, outputOmitted: false })));
    expect(run.steps?.map((step) => step.status)).toEqual(['waiting', 'skipped', 'pending']);
  });

  it('shows the step count of a run in the list of every workflow, listed or not', async () => {
    const { runs } = await page('/api/v1/workflow-runs?limit=50');
    const byId = new Map(runs.map((run) => [run.id, run]));
    expect([smallRun, edgeRun, waiting].map((id) => byId.get(id)?.stepCount)).toEqual([3, 200, 1000]);
    expect([smallRun, edgeRun, waiting].map((id) => byId.get(id)?.stepsOmitted)).toEqual([false, false, true]);
  });

  it.each([
    [1, false],
    [50, false],
    [51, true],
    [1000, true],
  ])(
    'lists 200 steps of a run on a page of up to 50 runs, fewer on a longer one (limit %i)',
    async (limit, omitted) => {
      const { runs } = await page(`/api/v1/workflows/${edge}/runs?limit=${limit}`);
      const [run] = runs;
      expect(run).toMatchObject({ id: edgeRun, stepCount: 200, openStepCount: 199, stepsOmitted: omitted });
      if (omitted) expect(run.steps).toBeNull();
      else expect(run.steps?.map((step) => step.id)).toEqual(gated(200, 10).map((step) => step.id));
    },
  );
});
