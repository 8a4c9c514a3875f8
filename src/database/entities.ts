import { AgentConfigVersionEntity } from '../agents/entities/agent-config-version.entity';
import { AgentStateEntity } from '../agents/entities/agent-state.entity';
import { AgentEntity } from '../agents/entities/agent.entity';
import { TaskAttemptEntity } from '../tasks/entities/task-attempt.entity';
import { TaskCheckpointPartEntity } from '../tasks/entities/task-checkpoint-part.entity';
import { TaskEntity } from '../tasks/entities/task.entity';
import { TaskTagEntity } from '../tasks/entities/task-tag.entity';
import { ScheduleFireEntity } from '../schedules/entities/schedule-fire.entity';
import { ScheduleEntity } from '../schedules/entities/schedule.entity';
import { WorkflowRunStepEntity } from '../workflows/entities/workflow-run-step.entity';
import { WorkflowRunEntity } from '../workflows/entities/workflow-run.entity';
import { WorkflowEntity } from '../workflows/entities/workflow.entity';
import { WebhookDeliveryEntity } from '../webhooks/entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from '../webhooks/entities/webhook-endpoint.entity';
import { InboundHookEntity } from '../hooks/entities/inbound-hook.entity';
import { WebVitalEntity } from '../metrics/entities/web-vital.entity';
import { ApiKeyEntity } from '../api-keys/entities/api-key.entity';
import { AuditLogEntity } from '../audit/entities/audit-log.entity';
import { AuditPendingEntity } from '../audit/entities/audit-pending.entity';
import { AuditCheckpointEntity } from '../audit/entities/audit-checkpoint.entity';
import { MfaRecoveryCodeEntity } from '../auth/entities/mfa-recovery-code.entity';
import { RefreshTokenEntity } from '../auth/entities/refresh-token.entity';
import { UserEntity } from '../users/entities/user.entity';
import { BulkOperationEntity } from '../bulk/entities/bulk-operation.entity';
import { FileEntity } from '../files/entities/file.entity';
import { SecretsKeyCheckEntity } from '../common/crypto/entities/secrets-key-check.entity';
import { RedisPrefixCheckEntity } from '../redis/entities/redis-prefix-check.entity';

/** Every TypeORM entity of the application, so the app, the CLI and the schema check see the same model. */
export const ENTITIES: Function[] = [
  UserEntity,
  RefreshTokenEntity,
  MfaRecoveryCodeEntity,
  ApiKeyEntity,
  AuditLogEntity,
  AuditPendingEntity,
  AuditCheckpointEntity,
  AgentEntity,
  AgentConfigVersionEntity,
  AgentStateEntity,
  TaskEntity,
  TaskAttemptEntity,
  TaskCheckpointPartEntity,
  TaskTagEntity,
  ScheduleEntity,
  ScheduleFireEntity,
  WorkflowEntity,
  WorkflowRunEntity,
  WorkflowRunStepEntity,
  WebVitalEntity,
  WebhookEndpointEntity,
  WebhookDeliveryEntity,
  BulkOperationEntity,
  InboundHookEntity,
  FileEntity,
  SecretsKeyCheckEntity,
  RedisPrefixCheckEntity,
];
