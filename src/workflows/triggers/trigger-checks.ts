import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, In, IsNull } from 'typeorm';
import { AgentsService } from '../../agents/agents.service';
import type { Principal } from '../../auth/principal';
import { ValidationFailedError } from '../../common/errors/app.error';
import { WorkflowEntity } from '../entities/workflow.entity';
import { assertMayHear, normalizedTriggers, triggerProblems, type WorkflowTrigger } from './trigger-definition';
import type { WorkflowTriggerDto } from './trigger.dto';

/** A workflow's triggers as given, checked before they are stored. */
@Injectable()
export class TriggerChecks {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
  ) {}

  /**
   * The triggers as stored, once the caller may hear what they fire on ({@link assertMayHear}: 403 otherwise)
   * and the agents and workflows they name exist (see {@link triggerProblems}: 400 otherwise).
   */
  async checked(principal: Principal, triggers: WorkflowTriggerDto[], self?: string): Promise<WorkflowTrigger[]> {
    assertMayHear(principal, triggers);
    const agents = await this.agents.liveIds(triggers.flatMap((t) => (t.agentId ? [t.agentId] : [])));
    const named = [...new Set(triggers.flatMap((t) => (t.workflowId ? [t.workflowId] : [])))];
    const found = named.length
      ? await this.dataSource
          .getRepository(WorkflowEntity)
          .find({ select: { id: true }, where: { id: In(named), deletedAt: IsNull() } })
      : [];
    const workflows = new Set(found.map((workflow) => workflow.id));
    const problems = triggerProblems(triggers, agents, workflows, self);
    if (problems.length) throw new ValidationFailedError(problems, 'The workflow definition is invalid');
    return normalizedTriggers(triggers);
  }
}
