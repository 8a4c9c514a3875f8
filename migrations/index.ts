import { IdentityAndAudit1763900000000 } from './1763900000000-identity-and-audit';
import { Agents1763910000000 } from './1763910000000-agents';
import { Tasks1763920000000 } from './1763920000000-tasks';
import { Workflows1763930000000 } from './1763930000000-workflows';
import { WebVitals1763940000000 } from './1763940000000-web-vitals';
import { AuditPending1763950000000 } from './1763950000000-audit-pending';
import { PartialRunIndex1763960000000 } from './1763960000000-partial-run-index';
import { MfaReplayAndRecoveryCodes1763970000000 } from './1763970000000-mfa-replay-and-recovery-codes';
import { TaskCheckpointParts1763980000000 } from './1763980000000-task-checkpoint-parts';
import { TaskFinishedIndex1763990000000 } from './1763990000000-task-finished-index';
import { TaskCreatedIndex1764000000000 } from './1764000000000-task-created-index';
import { Schedules1764010000000 } from './1764010000000-schedules';
import { TaskTags1764020000000 } from './1764020000000-task-tags';
import { Webhooks1764030000000 } from './1764030000000-webhooks';
import { BulkOperations1764100000000 } from './1764100000000-bulk-operations';
import { WorkflowWaits1764110000000 } from './1764110000000-workflow-waits';
import { FlowControl1764120000000 } from './1764120000000-flow-control';
import { InboundHooks1764130000000 } from './1764130000000-inbound-hooks';
import { WorkflowTriggers1764131000000 } from './1764131000000-workflow-triggers';
import { ScheduleFires1764140000000 } from './1764140000000-schedule-fires';
import { WebhookDeliveryOccurrence1764150000000 } from './1764150000000-webhook-delivery-occurrence';
import { AuditRetention1764160000000 } from './1764160000000-audit-retention';
import { AuditListIndexes1764160001000 } from './1764160001000-audit-list-indexes';
import { TaskErrorCodeStatistics1764165000000 } from './1764165000000-task-error-code-statistics';
import { Files1764170000000 } from './1764170000000-files';
import { RunOpenSteps1764175000000 } from './1764175000000-run-open-steps';
import { RunStepRows1764182000000 } from './1764182000000-run-step-rows';
import { TaskErrorCodeColumn1764183000000 } from './1764183000000-task-error-code-column';
import { CalculatorStateWithoutResults1764184000000 } from './1764184000000-calculator-state-without-results';
import { SecretsKeyCheck1764185000000 } from './1764185000000-secrets-key-check';
import { RedisPrefixCheck1764196000000 } from './1764196000000-redis-prefix-check';
import { AttemptTakeovers1764186000000 } from './1764186000000-attempt-takeovers';
import { ScheduleTagsOnce1764187000000 } from './1764187000000-schedule-tags-once';
import { TaskTagRows1764188000000 } from './1764188000000-task-tag-rows';
import { TaskTagsGoneByStatement1764189000000 } from './1764189000000-task-tags-gone-by-statement';
import { SchedulePeriodsBeyondInt1764190000000 } from './1764190000000-schedule-periods-beyond-int';
import { IdsInLowerCase1764191000000 } from './1764191000000-ids-in-lower-case';
import { ChangedWithApiKey1764192000000 } from './1764192000000-changed-with-api-key';
import { WorkflowTriggersPaused1764193000000 } from './1764193000000-workflow-triggers-paused';
import { CreatorIndexes1764194000000 } from './1764194000000-creator-indexes';
import { OpenAttemptsIndex1764195000000 } from './1764195000000-open-attempts-index';

/** Every migration in the order it was written; the app, the CLI and the tests run this list. */
export const MIGRATIONS: Function[] = [
  IdentityAndAudit1763900000000,
  Agents1763910000000,
  Tasks1763920000000,
  Workflows1763930000000,
  WebVitals1763940000000,
  AuditPending1763950000000,
  PartialRunIndex1763960000000,
  MfaReplayAndRecoveryCodes1763970000000,
  TaskCheckpointParts1763980000000,
  TaskFinishedIndex1763990000000,
  TaskCreatedIndex1764000000000,
  Schedules1764010000000,
  TaskTags1764020000000,
  Webhooks1764030000000,
  BulkOperations1764100000000,
  WorkflowWaits1764110000000,
  FlowControl1764120000000,
  InboundHooks1764130000000,
  WorkflowTriggers1764131000000,
  ScheduleFires1764140000000,
  WebhookDeliveryOccurrence1764150000000,
  AuditRetention1764160000000,
  AuditListIndexes1764160001000,
  TaskErrorCodeStatistics1764165000000,
  Files1764170000000,
  RunOpenSteps1764175000000,
  RunStepRows1764182000000,
  TaskErrorCodeColumn1764183000000,
  CalculatorStateWithoutResults1764184000000,
  SecretsKeyCheck1764185000000,
  AttemptTakeovers1764186000000,
  ScheduleTagsOnce1764187000000,
  TaskTagRows1764188000000,
  TaskTagsGoneByStatement1764189000000,
  SchedulePeriodsBeyondInt1764190000000,
  IdsInLowerCase1764191000000,
  ChangedWithApiKey1764192000000,
  WorkflowTriggersPaused1764193000000,
  CreatorIndexes1764194000000,
  OpenAttemptsIndex1764195000000,
  RedisPrefixCheck1764196000000,
];
