import type { DataSource } from 'typeorm';
import { overListedBound } from '../../database/listed-json';
import { preparedRows } from '../../database/prepared';
import type { RowMapper } from '../../database/row-mapper';
import type { StepState, WorkflowRunEntity } from '../entities/workflow-run.entity';

/** A step of a listed run: its output only within the list's bound, flagged when left out. */
export type ListedStepState = StepState & { outputOmitted: boolean };

/**
 * A run as a list shows it: its input, output and steps' outputs only within the list's bound
 * ({@link overListedBound}), each `null` and flagged when left out; `GET /workflow-runs/:id` has them whole.
 */
export type ListedRun = Omit<WorkflowRunEntity, 'steps'> & {
  steps: Record<string, ListedStepState>;
  inputOmitted: boolean;
  outputOmitted: boolean;
};

/** Each listed run's two sizes, worked out once per row (`OFFSET 0` keeps the subquery a subquery). */
const OVER_BOUND =
  'CROSS JOIN LATERAL (SELECT ' +
  `${overListedBound('r.input')} AS input, ${overListedBound('r.output')} AS output OFFSET 0) o`;

/**
 * The runs of a page by id, in the order of `ids` (one deleted meanwhile is left out), without their steps:
 * input and output within the bound.
 */
export async function listedRunsById(
  dataSource: DataSource,
  rows: RowMapper<WorkflowRunEntity>,
  ids: string[],
): Promise<Omit<ListedRun, 'steps'>[]> {
  if (!ids.length) return [];
  const columns = rows.columnsWith({
    input: 'CASE WHEN o.input THEN NULL ELSE r.input END',
    output: 'CASE WHEN o.output THEN NULL ELSE r.output END',
  });
  const found = await preparedRows(
    dataSource,
    `SELECT ${columns}, o.input IS TRUE, o.output IS TRUE FROM workflow_runs r ${OVER_BOUND}
      WHERE r.id = ANY($1::uuid[])`,
    [ids],
  );
  const byId = new Map(found.map((values) => [rows.idOfValues(values), values]));
  return ids.flatMap((id) => {
    const values = byId.get(id);
    if (!values) return [];
    const { steps: _steps, ...run } = rows.fromValues(values);
    return [{ ...run, inputOmitted: values[rows.width] === true, outputOmitted: values[rows.width + 1] === true }];
  });
}
