import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type SharedCache, SharedCaches } from '../../redis/shared-cache';
import { WorkflowEntity } from '../entities/workflow.entity';
import { type TriggerEvent, triggerMatches, type WorkflowTrigger } from './trigger-definition';

/** A workflow with triggers, as the trigger paths need it. */
export interface TriggeredWorkflow {
  id: string;
  createdBy: string;
  triggers: WorkflowTrigger[];
  triggersSince: Date | null;
}

/** How long a process may use a creator's triggers without reading them again (changes drop them at once). */
const TRIGGERS_TTL_MS = 5000;

/**
 * The workflows with triggers, per creator, read once and kept: every finished task and run asks which
 * workflows it starts, and almost always none does. Every change of a workflow drops its creator's entry in
 * every process.
 */
@Injectable()
export class TriggerIndex {
  private readonly byCreator: SharedCache<{ workflows: TriggeredWorkflow[] }>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    caches: SharedCaches,
  ) {
    this.byCreator = caches.create(
      'workflow-triggers',
      async (createdBy) => ({ workflows: await this.read(createdBy) }),
      { ttlMs: TRIGGERS_TTL_MS, max: 10_000 },
    );
  }

  /** The ids of `createdBy`'s workflows that start on this event of a task (of `agentId`) or run (of `workflowId`). */
  async matching(
    createdBy: string,
    event: TriggerEvent,
    source: { agentId?: string; workflowId?: string },
  ): Promise<string[]> {
    const entry = await this.byCreator.get(createdBy);
    if (!entry?.workflows.length) return [];
    return entry.workflows.filter((w) => w.triggers.some((t) => triggerMatches(t, event, source))).map((w) => w.id);
  }

  /** Drops `createdBy`'s entry here and in every other process. */
  invalidate(createdBy: string): Promise<void> {
    return this.byCreator.invalidate(createdBy);
  }

  /** Every workflow with triggers that are not paused (of `createdBy` when given), for the reconciler. */
  async read(createdBy?: string): Promise<TriggeredWorkflow[]> {
    const qb = this.dataSource
      .getRepository(WorkflowEntity)
      .createQueryBuilder('w')
      .select(['w.id', 'w.createdBy', 'w.triggers', 'w.triggersSince'])
      .where(`w.deleted_at IS NULL AND w.triggers <> '[]'::jsonb AND w.triggers_paused_reason IS NULL`);
    if (createdBy) qb.andWhere('w.created_by = :createdBy', { createdBy });
    return qb.getMany();
  }
}
