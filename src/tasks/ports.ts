import type { AgentStateStore } from '../agents/agent-state.store';
import type { AgentsService } from '../agents/agents.service';
import type { EventBus } from '../events/event-bus';
import type { Metrics } from '../metrics/metrics.service';
import type { AgentSlots } from './agent-slots';
import type { TaskCheckpoints } from './persistence/task-checkpoints';
import type { TaskRetentionQueries } from './persistence/task-retention-queries';
import type { TaskStateWriter } from './persistence/task-state-writer';
import type { TaskRepository } from './persistence/task.repository';
import type { TaskCancellation } from './task-cancellation';
import type { TaskExpiry } from './task-expiry';
import type { TaskFlowControl } from './task-flow-control';
import type { TaskQueue } from './task-queue';
import type { TaskSubmission } from './task-submission';

/**
 * What the task services need of their collaborators, as interfaces: Nest injects the real classes, unit
 * specs pass small fakes (test/fakes/) that implement these.
 */
export type Agent = Awaited<ReturnType<AgentsService['forTask']>>;
export type AgentLookup = Pick<AgentsService, 'forTask' | 'isDeleted' | 'runtimeOf'>;
export type AgentChanges = Pick<AgentsService, 'forTask' | 'onChange'>;
export type LiveAgents = Pick<AgentsService, 'liveIds'>;
export type TaskStore = Pick<
  TaskRepository,
  | 'insert'
  | 'insertBatch'
  | 'insertInTransaction'
  | 'findByIdempotencyKeys'
  | 'findById'
  | 'finishedSince'
  | 'list'
  | 'attempts'
  | 'statesOf'
  | 'finishedBetween'
  | 'cancel'
  | 'retry'
>;
export type AttemptStore = Pick<
  TaskStateWriter,
  'workerId' | 'load' | 'start' | 'finish' | 'progress' | 'checkpoint' | 'closeAttempt' | 'retrying'
>;
export type CheckpointStore = Pick<TaskCheckpoints, 'append' | 'parts'>;
export type TaskJobs = Pick<TaskQueue, 'enqueueMany' | 'remove'>;
export type EventPublisher = Pick<EventBus, 'publish'>;
/** What an attempt publishes: its task's changes, and the output it streams as it goes. */
export type AttemptEvents = EventPublisher & Pick<EventBus, 'outputStream'>;
export type AgentSlotPool = Pick<AgentSlots, 'acquire' | 'release' | 'recheckMs'>;
export type TaskMetrics = Pick<Metrics, 'taskFinished'>;
export type CancelSignals = Pick<TaskCancellation, 'requestCancel' | 'register'>;
export type AgentStates = Pick<AgentStateStore, 'handle'>;
export type NewTasks = Pick<TaskSubmission, 'afterCreate' | 'assertAgentTakesTasks'>;
export type JobWaker = Pick<TaskQueue, 'wake' | 'wakeEach'>;
export type ExpiryCheck = Pick<TaskExpiry, 'expireOne'>;
export type FlowGate = Pick<TaskFlowControl, 'expire' | 'acquireKey' | 'releaseKey' | 'parkPaused' | 'unparkPaused'>;
export type PurgeBatches = Pick<TaskRetentionQueries, 'purgeBatch'>;
export type PurgeMetrics = Pick<Metrics, 'tasksPurged'>;
