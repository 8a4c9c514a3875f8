import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ApiKeysService } from '../../api-keys/api-keys.service';
import { AuditService } from '../../audit/audit.service';
import { TriggerIndex } from './trigger-index';

/** Why a workflow's triggers stopped when the API key that could have set them was revoked. */
export const TRIGGERS_PAUSED_WITH_KEY = 'The API key that created or last changed the workflow was revoked';

/**
 * A revoked key's workflows stop starting runs on their own: the triggers of every workflow it created or last
 * changed are paused in the revocation's transaction (see ApiKeysService.revoke), each with its audit entry.
 * Their steps stay, and runs can still be started by hand; setting the triggers again resumes them.
 */
@Injectable()
export class TriggerRevocation implements OnModuleInit {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly audit: AuditService,
    private readonly index: TriggerIndex,
  ) {}

  onModuleInit(): void {
    this.keys.whenRevoked(async (em, keyId, context) => {
      const [workflows] = (await em.query(
        `UPDATE workflows SET triggers_paused_reason = $2, updated_at = now()
          WHERE changed_with_key_id = $1 AND deleted_at IS NULL AND triggers <> '[]'::jsonb
            AND triggers_paused_reason IS NULL
        RETURNING id, created_by AS "createdBy"`,
        [keyId, TRIGGERS_PAUSED_WITH_KEY],
      )) as [{ id: string; createdBy: string }[], number];
      await this.audit.recordAll(
        workflows.map(({ id }) => ({
          action: 'workflow.update',
          outcome: 'success',
          resourceType: 'workflow',
          resourceId: id,
          details: { triggersPaused: true, reason: 'apikey.revoke', revokedKeyId: keyId },
        })),
        em,
        context,
      );
      const creators = [...new Set(workflows.map((w) => w.createdBy))];
      return {
        kind: 'pausedWorkflowTriggers',
        ids: workflows.map((w) => w.id),
        afterCommit: async () => {
          for (const creator of creators) await this.index.invalidate(creator);
        },
      };
    });
  }
}
