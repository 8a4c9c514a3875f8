/**
 * Every BullMQ queue of the application, with the payload of its jobs. Producers and consumers take names and
 * payload types from here, never from string literals of their own.
 */

/** Task jobs: one per task, its id the task id (see TaskQueue, the one producer). */
export const TASKS_QUEUE = 'tasks';

/**
 * The payload of a task job: the task itself lives in Postgres. Its agent and timeout (which never change)
 * ride along, so a worker can check the agent and take a slot before touching the task.
 */
export interface TaskJobData {
  taskId: string;
  agentId?: string;
  timeoutMs?: number | null;
  /** The task's concurrency key, when it has one. */
  concurrencyKey?: string;
  /** The task's expiry time (ms since the epoch), when it has one. */
  expireAt?: number;
}

/**
 * Periodic cluster-wide work of the worker roles (see PeriodicJob): one job scheduler per declared job, the job
 * name its name. A job declared for other roles goes to a queue of its own roles ({@link maintenanceQueue}),
 * so a process never takes a job its role does not run.
 */
export const MAINTENANCE_QUEUE = 'maintenance';

/** The queue of periodic jobs run by exactly these roles. */
export function maintenanceQueue(roles: readonly string[]): string {
  const set = [...new Set(roles)].sort();
  return set.join() === 'all,worker' ? MAINTENANCE_QUEUE : `${MAINTENANCE_QUEUE}-${set.join('-')}`;
}

/** Periodic jobs carry nothing: each pass reads what it needs from Postgres and Redis. */
export type MaintenanceJobData = Record<string, never>;

/**
 * Schedule fires: one BullMQ job scheduler per active schedule, its id the schedule's id (see ScheduleQueue,
 * the one producer). Each job is one fire; its time is the job's `prevMillis`.
 */
export const SCHEDULES_QUEUE = 'schedules';

/** A fire carries its schedule's id only: the schedule itself lives in Postgres. */
export interface ScheduleFireJobData {
  scheduleId: string;
}

/** Webhook deliveries: one job per delivery, its id the delivery's id (see WebhookQueue, the one producer). */
export const WEBHOOKS_QUEUE = 'webhooks';

/** A delivery job carries its id only: the message, its endpoint and its log live in Postgres. */
export interface WebhookDeliveryJobData {
  deliveryId: string;
}

/**
 * Workflow steps that wait for a time: one delayed job per waiting step that falls due (a wait step's end, an
 * approval step's deadline), its id made of the run and the step (see StepWaitQueue, the one producer).
 */
export const WORKFLOW_WAITS_QUEUE = 'workflow-waits';

/** A wait job names its step only: the step's state, and whether it is still waiting, live in Postgres. */
export interface StepWaitJobData {
  runId: string;
  stepId: string;
}

/**
 * Bulk operations (retry or cancel every task or run a filter matches): one job per operation, its id the
 * operation's id (see BulkQueue, the one producer). The job runs the operation from its stored cursor to the end.
 */
export const BULK_QUEUE = 'bulk-operations';

/** A bulk job carries its operation's id only: the filter and the progress live in Postgres. */
export interface BulkOperationJobData {
  operationId: string;
}

/**
 * Workflow trigger starts: one job per workflow, event and task or run (see TriggerQueue, the one producer),
 * its id derived from the start's idempotency key.
 */
export const TRIGGERS_QUEUE = 'workflow-triggers';

/** A trigger start names the workflow and the event's source; both are read again from Postgres. */
export interface TriggerStartJobData {
  workflowId: string;
  event: string;
  sourceId: string;
}

/** Every queue of the application (the maintenance queue of the worker roles), as reports list them. */
export const QUEUE_NAMES = [
  TASKS_QUEUE,
  SCHEDULES_QUEUE,
  WEBHOOKS_QUEUE,
  WORKFLOW_WAITS_QUEUE,
  TRIGGERS_QUEUE,
  BULK_QUEUE,
  MAINTENANCE_QUEUE,
] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];
