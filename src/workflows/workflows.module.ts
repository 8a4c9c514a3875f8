import { Global, Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { WorkflowRunRepository } from './persistence/workflow-run.repository';
import { TemplateEvaluator } from './template-evaluator';
import { WorkflowEngine } from './workflow-engine';
import { WorkflowSweeper } from './workflow-sweeper';
import { WorkflowRunsController, WorkflowsController } from './workflows.controller';
import { WorkflowsService } from './workflows.service';

/** Its sweeper is a periodic job: the job's roles say where it runs. */
@Global()
@Module({
  imports: [AgentsModule],
  controllers: [WorkflowsController, WorkflowRunsController],
  providers: [WorkflowsService, WorkflowRunRepository, WorkflowEngine, TemplateEvaluator, WorkflowSweeper],
  exports: [WorkflowsService],
})
export class WorkflowsModule {}
