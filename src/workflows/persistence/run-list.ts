import type { DataSource } from 'typeorm';
import { overListedBound } from '../../database/listed-json';
import { preparedRows } from '../../database/prepared';
import type { RowMapper } from '../../database/row-mapper';
import type { Permission } from '../../auth/permissions';
import type { StepDecision, StepState, WorkflowRunEntity } from '../entities/workflow-run.entity';
import type { StepKind, WorkflowStep } from '../workflow-definition';

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
 * `null` and flagged when left out; its steps without their outputs ({@link ListedStepState}).
 */
export type ListedRun = Omit<WorkflowRunEntity, 'steps' | 'definition'> & {
  definition: StepOutline[];
  steps: Record<string, ListedStepState>;
  inputOmitted: boolean;
  outputOmitted: boolean;
};

/** Each listed run's definition as {@link StepOutline}s, in its order: a step's input may be large. */
const OUTLINE = `(SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
     'id', d->'id', 'kind', d->'kind', 'permission', d->'permission')) ORDER BY n), '[]'::jsonb)
   FROM jsonb_array_elements(r.definition) WITH ORDINALITY AS e(d, n))`;

/**
 * Each listed run's two sizes against the bound in `$2`, worked out once per row (`OFFSET 0` keeps the subquery
 * a subquery).
 */
const OVER_BOUND =
  'CROSS JOIN LATERAL (SELECT ' +
  `${overListedBound('r.input', '$2')} AS input, ${overListedBound('r.output', '$2')} AS output OFFSET 0) o`;

/**
 * The runs of a page by id, in the order of `ids` (one deleted meanwhile is left out), without their steps:
 * input and output within `bound` bytes (see `listedBound`), the definition as outlines.
 */
export async function listedRunsById(
  dataSource: DataSource,
  rows: RowMapper<WorkflowRunEntity>,
  ids: string[],
  bound: number,
): Promise<Omit<ListedRun, 'steps'>[]> {
  if (!ids.length) return [];
  const columns = rows.columnsWith({
    definition: OUTLINE,
    input: 'CASE WHEN o.input THEN NULL ELSE r.input END',
    output: 'CASE WHEN o.output THEN NULL ELSE r.output END',
  });
  const found = await preparedRows(
    dataSource,
    `SELECT ${columns}, o.input IS TRUE, o.output IS TRUE FROM workflow_runs r ${OVER_BOUND}
      WHERE r.id = ANY($1::uuid[])`,
    [ids, bound],
  );
  const byId = new Map(found.map((values) => [rows.idOfValues(values), values]));
  return ids.flatMap((id) => {
    const values = byId.get(id);
    if (!values) return [];
    const { steps: _steps, ...run } = rows.fromValues(values) as Omit<WorkflowRunEntity, 'definition'> & {
      definition: StepOutline[];
    };
    return [{ ...run, inputOmitted: values[rows.width] === true, outputOmitted: values[rows.width + 1] === true }];
  });
}
