import { type DynamicModule, Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import type { AppRole } from '../config/app-config';
import { TemplateEvaluator } from './template-evaluator';
import { WorkflowEngine } from './workflow-engine';
import { WorkflowSweeper } from './workflow-sweeper';
import { WorkflowRunsController, WorkflowsController } from './workflows.controller';
import { WorkflowsService } from './workflows.service';

@Module({})
export class WorkflowsModule {
  static forRole(role: AppRole): DynamicModule {
    return {
      module: WorkflowsModule,
      global: true,
      imports: [AgentsModule],
      controllers: [WorkflowsController, WorkflowRunsController],
      providers: [WorkflowsService, WorkflowEngine, TemplateEvaluator, ...(role !== 'api' ? [WorkflowSweeper] : [])],
      exports: [WorkflowsService],
    };
  }
}
