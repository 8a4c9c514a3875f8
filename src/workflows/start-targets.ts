import { Injectable } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service';
import { WorkflowRepository } from './persistence/workflow.repository';

/** What a schedule or an inbound hook starts: an agent's task or a workflow's run (one of the two ids is set). */
export interface StartTarget {
  agentId: string | null;
  workflowId: string | null;
}

/**
 * Which schedules' or hooks' targets were deleted since, so that their views say so at once: a schedule pauses
 * only at its next fire, and a hook refuses each call, but neither is healthy from the moment its target is gone.
 */
@Injectable()
export class StartTargets {
  constructor(
    private readonly agents: AgentsService,
    private readonly workflows: WorkflowRepository,
  ) {}

  /** Tells, for each of `targets` (a page of them), whether its agent or workflow was deleted: two statements at most. */
  async deletedAmong(targets: readonly StartTarget[]): Promise<(target: StartTarget) => boolean> {
    const ids = (key: keyof StartTarget): string[] => [...new Set(targets.flatMap((t) => t[key] ?? []))];
    const [agents, workflows] = await Promise.all([
      this.agents.liveIds(ids('agentId')),
      this.workflows.liveIds(ids('workflowId')),
    ]);
    return ({ agentId, workflowId }) => (workflowId ? !workflows.has(workflowId) : !agents.has(agentId ?? ''));
  }
}
