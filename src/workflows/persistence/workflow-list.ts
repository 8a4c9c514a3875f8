import type { DataSource } from 'typeorm';
import { Page } from '../../common/http/envelope';
import { containsPattern } from '../../common/search-pattern';
import { listedBound, overListedBound } from '../../database/listed-json';
import { WorkflowEntity } from '../entities/workflow.entity';
import type { WorkflowStep } from '../workflow-definition';

/** A listed workflow: its steps only within the page's bound ({@link listedBound}), their number always. */
export type ListedWorkflow = Omit<WorkflowEntity, 'steps'> & {
  steps: WorkflowStep[] | null;
  stepCount: number;
  stepsOmitted: boolean;
};

/**
 * Live workflows, newest first; `q` searches their name and description. A definition may be a megabyte (a
 * thousand steps with their inputs): a list shows each within the bound a task's input gets, else leaves it out
 * (`stepsOmitted`), so a page costs about the same whatever its workflows hold; `GET /workflows/:id` has it whole.
 */
export async function listWorkflows(
  dataSource: DataSource,
  { skip, limit, q }: { skip: number; limit: number; q?: string },
): Promise<Page<ListedWorkflow>> {
  const repository = dataSource.getRepository(WorkflowEntity);
  const columns = repository.metadata.columns
    .filter((column) => column.propertyName !== 'steps')
    .map((column) => `w.${column.propertyName}`);
  const qb = repository.createQueryBuilder('w').select(columns).where('w.deletedAt IS NULL');
  if (q) qb.andWhere('(w.name ILIKE :q OR w.description ILIKE :q)', { q: containsPattern(q) });
  const [items, total] = await qb.orderBy('w.createdAt', 'DESC').skip(skip).take(limit).getManyAndCount();
  if (items.length === 0) return new Page([], total, skip, limit);
  const rows = (await dataSource.query(
    `SELECT id, jsonb_array_length(steps) AS count, o.over, CASE WHEN o.over THEN NULL ELSE steps END AS steps
       FROM workflows CROSS JOIN LATERAL (SELECT ${overListedBound('steps', '$2')} AS over OFFSET 0) o
      WHERE id = ANY($1::uuid[])`,
    [items.map((w) => w.id), listedBound(limit)],
  )) as { id: string; count: number; over: boolean; steps: WorkflowStep[] | null }[];
  const byId = new Map(rows.map((row) => [row.id, row]));
  const listed = items.map((workflow): ListedWorkflow => {
    const row = byId.get(workflow.id);
    return { ...workflow, steps: row?.steps ?? null, stepCount: row?.count ?? 0, stepsOmitted: row?.over === true };
  });
  return new Page(listed, total, skip, limit);
}
