import type { DataSource } from 'typeorm';
import { listedBound, overListedBound } from '../../database/listed-json';
import { preparedRows } from '../../database/prepared';
import type { RowMapper } from '../../database/row-mapper';
import type { Permission } from '../../auth/permissions';
import type { StepDecision, StepState, WorkflowRunEntity } from '../entities/workflow-run.entity';
import type { StepKind, WorkflowStep } from '../workflow-definition';
import { RunStepRows } from './run-step-rows';

/**
 * A step of a listed run: its state without its output, however small (`output` null), and whether it has one
 * (`outputOmitted`). A list then costs the same whatever its runs' steps produced: 200 steps of 60 kB each are
 * 12 MB a run; `GET /workflow-runs/:id` has them.
 */
export type ListedStepState = Pick<StepState, 'status' | 'taskId' | 'error'> & {
  output: null;
  outputOmitted: boolean;
  waitUntil: string | null;
  approvalDeadline: string | null;
  decision: StepDecision | null;
};

/** What a list reads of a step's definition: what the run shows of it, not its input or condition. */
export type StepOutline = Pick<WorkflowStep, 'id'> & { kind?: StepKind; permission?: Permission };

/**
 * A run as a list shows it: its input and output only within the list's bound ({@link overListedBound}), each
 * `null` and flagged when left out; its steps without their outputs ({@link ListedStepState}), and only when the
 * run has at most {@link listedStepBound} of them: past it `steps` is empty, `definition` too, and `stepsOmitted`
 * true. `stepCount` is always there, and the row's `openSteps` says how many of them are not over yet.
 */
export type ListedRun = Omit<WorkflowRunEntity, 'steps' | 'definition'> & {
  definition: StepOutline[];
  steps: Record<string, ListedStepState>;
  stepCount: number;
  stepsOmitted: boolean;
  inputOmitted: boolean;
  outputOmitted: boolean;
};

/**
 * Most steps a listed run carries. A listed step is a few hundred bytes (an id of up to 100 characters, its
 * status, task, error and decision), so 200 are about the 64 KiB a listed input gets; a run of 1,000 waiting
 * steps would be 280 kB, and a page of 1,000 such runs 280 MB built in one go.
 */
export const LISTED_RUN_STEPS = 200;

/** What a page's listed steps may come to together: each run of a long page has its steps listed within less. */
export const LISTED_PAGE_STEPS = 10_000;

/** The most steps a run on a page of `limit` runs is listed with: 200, or fewer where the page is long (10 at 1,000). */
export function listedStepBound(limit: number): number {
  return Math.min(LISTED_RUN_STEPS, Math.floor(LISTED_PAGE_STEPS / Math.max(1, limit)));
}

/** Each listed run's definition as {@link StepOutline}s, in its order: a step's input may be large. */
const OUTLINE = `(SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
     'id', d->'id', 'kind', d->'kind', 'permission', d->'permission')) ORDER BY n), '[]'::jsonb)
   FROM jsonb_array_elements(r.definition) WITH ORDINALITY AS e(d, n))`;

/**
 * Each listed run's two sizes against the bound in `$2`, and its number of steps, worked out once per row
 * (`OFFSET 0` keeps the subquery a subquery). The number is the definition's length, which Postgres reads without
 * looking at any step's state; a run over the step bound in `$3` has no outline built at all.
 */
const OVER_BOUND =
  'CROSS JOIN LATERAL (SELECT ' +
  `${overListedBound('r.input', '$2')} AS input, ${overListedBound('r.output', '$2')} AS output, ` +
  'jsonb_array_length(r.definition) AS steps OFFSET 0) o';

/**
 * The runs of a page of `limit` by id, in the order of `ids` (one deleted meanwhile is left out): input and output
 * within the list's bound ({@link listedBound}); the steps, and the definition as outlines, only of the runs with
 * at most {@link listedStepBound} steps, so that what a page reads and sends does not grow with its runs' steps.
 */
export async function listedRunsById(
  dataSource: DataSource,
  rows: RowMapper<WorkflowRunEntity>,
  ids: string[],
  limit: number,
): Promise<ListedRun[]> {
  if (!ids.length) return [];
  const stepBound = listedStepBound(limit);
  const columns = rows.columnsWith({
    definition: `CASE WHEN o.steps > $3::int THEN '[]'::jsonb ELSE ${OUTLINE} END`,
    input: 'CASE WHEN o.input THEN NULL ELSE r.input END',
    output: 'CASE WHEN o.output THEN NULL ELSE r.output END',
  });
  const found = await preparedRows(
    dataSource,
    `SELECT ${columns}, o.input IS TRUE, o.output IS TRUE, o.steps FROM workflow_runs r ${OVER_BOUND}
      WHERE r.id = ANY($1::uuid[])`,
    [ids, listedBound(limit), stepBound],
  );
  const byId = new Map(found.map((values) => [rows.idOfValues(values), values]));
  const runs = ids.flatMap((id) => {
    const values = byId.get(id);
    if (!values) return [];
    const { steps: _steps, ...run } = rows.fromValues(values) as Omit<WorkflowRunEntity, 'definition'> & {
      definition: StepOutline[];
    };
    const stepCount = Number(values[rows.width + 2]);
    return [
      {
        ...run,
        stepCount,
        stepsOmitted: stepCount > stepBound,
        inputOmitted: values[rows.width] === true,
        outputOmitted: values[rows.width + 1] === true,
      },
    ];
  });
  const listed = runs.filter((run) => !run.stepsOmitted).map((run) => run.id);
  const steps = await new RunStepRows(dataSource.manager).listed(listed);
  return runs.map((run) => ({ ...run, steps: steps.get(run.id) ?? {} }));
}
