import { Injectable } from '@nestjs/common';
import { AgentTypeRegistry } from '../agents/agent-type.registry';
import { AgentsService } from '../agents/agents.service';
import type { ErrorDetail } from '../common/errors/app.error';
import { SchemaValidator } from '../common/schema/schema-validator';
import { templateExpressions } from './templates';
import { isTaskStep, type WorkflowStep } from './workflow-definition';

/**
 * A task step's input with no template in it is the input every run gives its task: it is checked against its
 * agent type's input schema when the workflow is saved, so a workflow that could only ever fail at that step is
 * refused then, not at each run. An input with templates is checked when rendered, at the run.
 */
@Injectable()
export class LiteralStepInputs {
  constructor(
    private readonly agents: AgentsService,
    private readonly types: AgentTypeRegistry,
    private readonly validator: SchemaValidator,
  ) {}

  /** The problems of `steps`' literal inputs, under `/steps/<i>/input`; steps whose agent is not in `live` are skipped. */
  async problems(steps: WorkflowStep[], live: Set<string>): Promise<ErrorDetail[]> {
    const problems: ErrorDetail[] = [];
    const typeOf = new Map<string, string>();
    for (const [i, step] of steps.entries()) {
      if (!isTaskStep(step) || !live.has(step.agentId) || templateExpressions(step.input).length) continue;
      if (!typeOf.has(step.agentId)) typeOf.set(step.agentId, (await this.agents.forTask(step.agentId)).type);
      const { inputSchema } = this.types.get(typeOf.get(step.agentId)!);
      const checked = this.validator.validate(inputSchema, step.input, `/steps/${i}/input`);
      if (!checked.valid) problems.push(...checked.errors);
    }
    return problems;
  }
}
