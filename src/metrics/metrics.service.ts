import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';

export const METRIC = {
  httpRequests: 'http_requests_total',
  httpDuration: 'http_request_duration_seconds',
  tasks: 'tasks_total',
  taskDuration: 'task_duration_seconds',
  tasksPurged: 'tasks_purged_total',
  leasesGivenBack: 'slot_leases_given_back_total',
  queueJobs: 'queue_jobs',
  wsConnections: 'ws_connections',
  rateLimited: 'rate_limited_total',
  authFailures: 'auth_failures_total',
  breakerState: 'circuit_breaker_state',
  webVitals: 'frontend_web_vitals',
  webhookAttempts: 'webhook_delivery_attempts_total',
  webhookDuration: 'webhook_delivery_duration_seconds',
  webhooksDisabled: 'webhook_endpoints_disabled_total',
  scheduleFires: 'schedule_fires_total',
  scheduleFireLateness: 'schedule_fire_lateness_seconds',
  scheduleFiresMissed: 'schedule_fires_passed_over_total',
  approvals: 'workflow_approvals_total',
  waitingSteps: 'workflow_steps_waiting',
  bulkOperations: 'bulk_operations_total',
  bulkItems: 'bulk_items_total',
  hookCalls: 'inbound_hook_calls_total',
  triggerStarts: 'workflow_trigger_starts_total',
} as const;

/** What an inbound hook call came to. */
export type HookCallOutcome =
  | 'started'
  | 'duplicate'
  | 'unauthenticated'
  | 'rate_limited'
  | 'disabled'
  | 'forbidden'
  | 'invalid'
  | 'target_deleted'
  | 'error';
/** What a workflow trigger's delivery came to. */
export type TriggerStartOutcome = 'started' | 'duplicate' | 'refused_depth' | 'failed';

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** The application's metrics, in one place; labels are bounded (route templates, enums, agent ids). */
@Injectable()
export class Metrics {
  constructor(
    @InjectMetric(METRIC.httpRequests) private readonly httpRequests: Counter<string>,
    @InjectMetric(METRIC.httpDuration) private readonly httpDuration: Histogram<string>,
    @InjectMetric(METRIC.tasks) private readonly tasks: Counter<string>,
    @InjectMetric(METRIC.taskDuration) private readonly taskDuration: Histogram<string>,
    @InjectMetric(METRIC.tasksPurged) private readonly purgedTasks: Counter<string>,
    @InjectMetric(METRIC.leasesGivenBack) private readonly givenBackLeases: Counter<string>,
    @InjectMetric(METRIC.queueJobs) readonly queueJobs: Gauge<string>,
    @InjectMetric(METRIC.wsConnections) readonly wsConnections: Gauge<string>,
    @InjectMetric(METRIC.rateLimited) private readonly rateLimitedTotal: Counter<string>,
    @InjectMetric(METRIC.authFailures) private readonly authFailuresTotal: Counter<string>,
    @InjectMetric(METRIC.breakerState) private readonly breakerStates: Gauge<string>,
    @InjectMetric(METRIC.webVitals) private readonly webVitals: Histogram<string>,
    @InjectMetric(METRIC.webhookAttempts) private readonly webhookAttempts: Counter<string>,
    @InjectMetric(METRIC.webhookDuration) private readonly webhookDuration: Histogram<string>,
    @InjectMetric(METRIC.webhooksDisabled) private readonly webhooksDisabled: Counter<string>,
    @InjectMetric(METRIC.scheduleFires) private readonly scheduleFires: Counter<string>,
    @InjectMetric(METRIC.scheduleFireLateness) private readonly scheduleFireLateness: Histogram<string>,
    @InjectMetric(METRIC.scheduleFiresMissed) private readonly scheduleFiresMissed: Counter<string>,
    @InjectMetric(METRIC.approvals) private readonly approvals: Counter<string>,
    @InjectMetric(METRIC.waitingSteps) readonly waitingSteps: Gauge<string>,
    @InjectMetric(METRIC.bulkOperations) private readonly bulkOperations: Counter<string>,
    @InjectMetric(METRIC.bulkItems) private readonly bulkItemsProcessed: Counter<string>,
    @InjectMetric(METRIC.hookCalls) private readonly hookCalls: Counter<string>,
    @InjectMetric(METRIC.triggerStarts) private readonly triggerStarts: Counter<string>,
  ) {}

  hookCall(outcome: HookCallOutcome): void {
    this.hookCalls.inc({ outcome });
  }

  /** `event`: the platform event that fired the trigger (task.failed, run.succeeded, …). */
  triggerStart(event: string, outcome: TriggerStartOutcome): void {
    this.triggerStarts.inc({ event, outcome });
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  taskFinished(agentType: string, status: string, seconds?: number): void {
    this.tasks.inc({ agent_type: agentType, status });
    if (seconds !== undefined) this.taskDuration.observe({ agent_type: agentType, status }, seconds);
  }

  /** Finished tasks deleted by the retention purge (TASK_RETENTION_DAYS). */
  tasksPurged(count: number): void {
    if (count) this.purgedTasks.inc(count);
  }

  /** Slot leases dropped because their release was lost (the task no longer runs): see StaleLeases. */
  leasesGivenBack(count: number): void {
    if (count) this.givenBackLeases.inc(count);
  }

  rateLimited(): void {
    this.rateLimitedTotal.inc();
  }

  authFailure(reason: string): void {
    this.authFailuresTotal.inc({ reason });
  }

  breakerState(agentId: string, state: keyof typeof BREAKER_VALUE): void {
    this.breakerStates.set({ agent: agentId }, BREAKER_VALUE[state]);
  }

  webVital(name: string, value: number): void {
    this.webVitals.observe({ name }, value);
  }

  /** One webhook delivery attempt: `succeeded`, `retry` (another attempt follows) or `failed` (for good). */
  webhookAttempt(outcome: 'succeeded' | 'retry' | 'failed', seconds: number): void {
    this.webhookAttempts.inc({ outcome });
    this.webhookDuration.observe({ outcome }, seconds);
  }

  /** An approval step decided: `approved`, `rejected` (by a person) or `timed_out`. */
  approvalDecided(outcome: 'approved' | 'rejected' | 'timed_out'): void {
    this.approvals.inc({ outcome });
  }

  webhookEndpointDisabled(): void {
    this.webhooksDisabled.inc();
  }

  /**
   * One fire of a schedule handled: `made`, `skipped-overlap` or `failed` (its target refused it); a made fire's
   * lateness is how long after its fire time the task or run was made.
   */
  scheduleFire(outcome: 'made' | 'skipped-overlap' | 'failed', latenessSeconds?: number): void {
    this.scheduleFires.inc({ outcome });
    if (latenessSeconds !== undefined) this.scheduleFireLateness.observe(Math.max(0, latenessSeconds));
  }

  /** Fires passed over (too many missed at once to make late); `count` of them. */
  scheduleFiresPassedOver(count: number): void {
    this.scheduleFiresMissed.inc(count);
  }

  /** A bulk operation over: `succeeded` or `failed`. */
  bulkOperationFinished(kind: string, action: string, outcome: string): void {
    this.bulkOperations.inc({ kind, action, outcome });
  }

  /** A bulk operation's batch: items changed (`done`) and matched items left as they were (`failed`). */
  bulkItems(kind: string, action: string, done: number, failed: number): void {
    if (done) this.bulkItemsProcessed.inc({ kind, action, result: 'done' }, done);
    if (failed) this.bulkItemsProcessed.inc({ kind, action, result: 'failed' }, failed);
  }
}
