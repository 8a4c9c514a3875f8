import { Global, Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { Conclusions } from './conclusions';
import { RunLifecycle } from './run-lifecycle';
import { WorkflowRunRepository } from './persistence/workflow-run.repository';
import { TemplateEvaluator } from './template-evaluator';
import { TriggerIndex } from './triggers/trigger-index';
import { WorkflowEngine } from './workflow-engine';
import { WorkflowSweeper } from './workflow-sweeper';
import { WorkflowRunsController, WorkflowsController } from './workflows.controller';
import { WorkflowsService } from './workflows.service';

/** Its sweeper is a periodic job: the job's roles say where it runs. Runs concluding are told on RunLifecycle. */
@Global()
@Module({
  imports: [AgentsModule],
  controllers: [WorkflowsController, WorkflowRunsController],
  providers: [
    RunLifecycle,
    Conclusions,
    WorkflowsService,
    WorkflowRunRepository,
    WorkflowEngine,
    TemplateEvaluator,
    WorkflowSweeper,
    TriggerIndex,
  ],
  exports: [WorkflowsService, RunLifecycle, Conclusions, TemplateEvaluator, TriggerIndex, WorkflowRunRepository],
})
export class WorkflowsModule {}
