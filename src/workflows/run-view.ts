import type { WorkflowRunDto } from './dto/workflow.dto';
import type { WorkflowRunEntity } from './entities/workflow-run.entity';

/** A run as the API returns it (`GET /workflow-runs/:id`), for the routes and for webhooks. */
export function runDto(r: WorkflowRunEntity): WorkflowRunDto {
  return {
    id: r.id,
    workflowId: r.workflowId,
    workflowVersion: r.workflowVersion,
    status: r.status,
    input: r.input,
    output: r.output ?? null,
    steps: r.definition.map((s) => ({ id: s.id, ...r.steps[s.id] })),
    tags: r.tags,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  };
}
