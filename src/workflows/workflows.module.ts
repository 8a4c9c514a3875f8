import { ApiKeysModule } from '../api-keys/api-keys.module';
import { TriggerRevocation } from './triggers/trigger-revocation';
import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { AuthModule } from '../auth/auth.module';
import { WORKFLOW_WAITS_QUEUE } from '../jobs/queues';
import { RunBulkActions } from './run-bulk-actions';
import { Conclusions } from './conclusions';
import { RunLifecycle } from './run-lifecycle';
import { RunRetry } from './run-retry';
import { WorkflowRunRepository } from './persistence/workflow-run.repository';
import { WorkflowRepository } from './persistence/workflow.repository';
import { StepDecisions } from './step-decisions';
import { ApprovalsController } from './approvals.controller';
import { WaitingApprovals } from './persistence/waiting-approvals';
import { StepDecisionsController } from './step-decisions.controller';
import { StepWaitQueue } from './step-wait-queue';
import { StepWaitReconciler } from './step-wait-reconciler';
import { StepWaitWorker } from './step-wait-worker';
import { TemplateEvaluator } from './template-evaluator';
import { TriggerChecks } from './triggers/trigger-checks';
import { TriggerIndex } from './triggers/trigger-index';
import { WorkflowEngine } from './workflow-engine';
import { RunCancellation } from './run-cancellation';
import { WorkflowSweeper } from './workflow-sweeper';
import { WorkflowRunsController } from './workflow-runs.controller';
import { WorkflowsController } from './workflows.controller';
import { WorkflowsService } from './workflows.service';
import { LiteralStepInputs } from './literal-step-inputs';
import { StartTargets } from './start-targets';

/**
 * Its sweeper is a periodic job: the job's roles say where it runs. Runs concluding are told on RunLifecycle.
 * Waiting steps' jobs are queued wherever runs advance, and handled where the role runs workers.
 */
@Global()
@Module({
  imports: [AgentsModule, AuthModule, ApiKeysModule, BullModule.registerQueue({ name: WORKFLOW_WAITS_QUEUE })],
  controllers: [WorkflowsController, WorkflowRunsController, StepDecisionsController, ApprovalsController],
  providers: [
    StartTargets,
    RunLifecycle,
    Conclusions,
    WorkflowsService,
    TriggerRevocation,
    WorkflowRunRepository,
    WorkflowRepository,
    WorkflowEngine,
    RunCancellation,
    TemplateEvaluator,
    WorkflowSweeper,
    StepWaitQueue,
    StepDecisions,
    WaitingApprovals,
    StepWaitReconciler,
    StepWaitWorker,
    RunRetry,
    RunBulkActions,
    TriggerIndex,
    TriggerChecks,
    LiteralStepInputs,
  ],
  exports: [
    StartTargets,
    WorkflowsService,
    RunLifecycle,
    RunBulkActions,
    Conclusions,
    TemplateEvaluator,
    TriggerIndex,
    WorkflowRunRepository,
  ],
})
export class WorkflowsModule {}
