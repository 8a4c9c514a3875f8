import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, Raw } from 'typeorm';
import { ApiKeysService } from '../../api-keys/api-keys.service';
import { AuditService } from '../../audit/audit.service';
import { OwnedRecords } from '../../audit/owned-records';
import { WorkflowEntity } from '../entities/workflow.entity';
import { TriggerIndex } from './trigger-index';

/** Why a workflow's triggers stopped when the API key that could have set them was revoked. */
export const TRIGGERS_PAUSED_WITH_KEY = 'The API key that created or last changed the workflow was revoked';

/** A workflow whose triggers start runs: what a key's revocation pauses. */
const TRIGGERS_RUNNING = {
  deletedAt: IsNull(),
  triggers: Raw((column) => `${column} <> '[]'::jsonb`),
  triggersPausedReason: IsNull(),
};

/**
 * A revoked key's workflows stop starting runs on their own: the triggers of every workflow it created or last
 * changed are paused in the revocation's transaction (see ApiKeysService.revoke), each with its audit entry.
 * Their steps stay, and runs can still be started by hand; setting the triggers again resumes them.
 */
@Injectable()
export class TriggerRevocation implements OnModuleInit {
  private readonly workflows: OwnedRecords<WorkflowEntity>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    audit: AuditService,
    private readonly keys: ApiKeysService,
    private readonly index: TriggerIndex,
  ) {
    this.workflows = new OwnedRecords(dataSource, audit, WorkflowEntity);
  }

  onModuleInit(): void {
    this.keys.whenRevoked({
      kind: 'pausedWorkflowTriggers',
      count: (keyId) => this.workflows.countChangedWithKey(keyId, TRIGGERS_RUNNING),
      stop: async (em, keyId, context) => {
        const paused = await this.workflows.stopChangedWithKey(
          em,
          keyId,
          TRIGGERS_RUNNING,
          { triggersPausedReason: TRIGGERS_PAUSED_WITH_KEY },
          ({ id }) => ({
            action: 'workflow.update',
            outcome: 'success',
            resourceType: 'workflow',
            resourceId: id,
            details: { triggersPaused: true, reason: 'apikey.revoke', revokedKeyId: keyId },
          }),
          context,
        );
        const creators = [...new Set(paused.map((workflow) => workflow.createdBy))];
        return {
          count: paused.length,
          afterCommit: async () => {
            for (const creator of creators) await this.index.invalidate(creator);
          },
        };
      },
    });
  }
}
