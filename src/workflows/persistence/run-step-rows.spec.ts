import type { EntityManager } from 'typeorm';
import type { StepState } from '../entities/workflow-run.entity';
import { changedSince, RunStepRows, snapshotOf } from './run-step-rows';

/** One run's step rows, and the step ids each write sent. */
class StepTable implements Pick<EntityManager, 'query'> {
  readonly rows = new Map<string, StepState>();
  readonly writes: string[][] = [];

  query<T = unknown>(sql: string, params: unknown[] = []): Promise<T> {
    if (sql.trimStart().startsWith('SELECT')) {
      const [runId] = params as [string[]];
      const rows = [...this.rows].map(([stepId, state]) => ({
        runId: runId[0],
        stepId,
        state: structuredClone(state),
      }));
      return Promise.resolve(rows as T);
    }
    const sent = JSON.parse((params as [string, string])[1]) as Record<string, StepState>;
    this.writes.push(Object.keys(sent));
    for (const [id, state] of Object.entries(sent)) this.rows.set(id, state);
    return Promise.resolve([] as T);
  }
}

const step = (status: StepState['status'], output: unknown = null): StepState => ({
  status,
  taskId: null,
  output,
  error: null,
});

describe('RunStepRows', () => {
  const runId = '00000000-0000-4000-8000-000000000001';

  it('sends only the steps a whole save changed since they were read', async () => {
    const table = new StepTable();
    for (const id of ['a', 'b', 'c']) table.rows.set(id, step('pending'));
    const rows = new RunStepRows(table);

    const steps = await rows.forSave(runId);
    steps.b = step('succeeded', { result: 2 });
    steps.d = step('pending');
    await rows.writeChanged(runId, steps);
    expect(table.writes).toEqual([['b', 'd']]);
    expect(table.rows.get('b')).toEqual(step('succeeded', { result: 2 }));

    // What it wrote is the new baseline: saving again unchanged sends nothing, a further change only itself.
    await rows.writeChanged(runId, steps);
    steps.c.status = 'cancelled';
    await rows.writeChanged(runId, steps);
    expect(table.writes).toEqual([['b', 'd'], ['c']]);
  });

  it('sends every step of a run it did not read whole, or wrote in slices since', async () => {
    const table = new StepTable();
    table.rows.set('a', step('pending'));
    table.rows.set('b', step('pending'));
    const rows = new RunStepRows(table);

    await rows.writeChanged(runId, { a: step('pending'), b: step('running') });
    expect(table.writes).toEqual([['a', 'b']]);

    const steps = await rows.forSave(runId);
    await rows.write(runId, { a: step('succeeded') });
    await rows.writeChanged(runId, steps);
    // The whole save's own view wins, as before, since what it read is behind the slice's write.
    expect(table.writes.at(-1)).toEqual(['a', 'b']);
    expect(table.rows.get('a')).toEqual(step('pending'));
  });
});

describe('changedSince', () => {
  it('names the steps whose JSON differs or that are new', () => {
    const before = snapshotOf({ a: step('pending'), b: step('running') });
    const now = snapshotOf({ a: step('pending'), b: step('succeeded'), c: step('pending') });
    expect(changedSince(before, now)).toEqual(['b', 'c']);
    expect(changedSince(now, now)).toEqual([]);
  });
});
