import { type DynamicModule, Global, Module, type OnModuleInit } from '@nestjs/common';
import { register } from 'prom-client';
import type { AppRole } from '../config/app-config';
import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
  PrometheusModule,
} from '@willsoto/nestjs-prometheus';
import { HealthIndicatorsModule } from '../health/health-indicators.module';
import { MetricsController } from './metrics.controller';
import { METRIC, Metrics } from './metrics.service';
import { WebVitalsController } from './web-vitals.controller';
import { WebVitalsRetention } from './web-vitals-retention';
import { WorkerMetricsServer } from './worker-metrics.server';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

@Global()
@Module({
  imports: [PrometheusModule.register({ controller: MetricsController, defaultMetrics: { enabled: true } })],
  providers: [
    Metrics,
    makeCounterProvider({
      name: METRIC.httpRequests,
      help: 'HTTP requests',
      labelNames: ['method', 'route', 'status'],
    }),
    makeHistogramProvider({
      name: METRIC.httpDuration,
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: SECONDS,
    }),
    makeCounterProvider({
      name: METRIC.tasks,
      help: 'Tasks that reached a final status',
      labelNames: ['agent_type', 'status'],
    }),
    makeHistogramProvider({
      name: METRIC.taskDuration,
      help: 'Task duration from first start to final status',
      labelNames: ['agent_type', 'status'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800],
    }),
    makeCounterProvider({
      name: METRIC.tasksPurged,
      help: 'Finished tasks deleted by the retention purge (TASK_RETENTION_DAYS)',
    }),
    makeCounterProvider({
      name: METRIC.leasesGivenBack,
      help: 'Slot leases given back because their release was lost (the task no longer runs)',
    }),
    makeGaugeProvider({
      name: METRIC.queueJobs,
      help: 'Jobs in a queue by state (read when scraped)',
      labelNames: ['queue', 'state'],
    }),
    makeGaugeProvider({ name: METRIC.wsConnections, help: 'Socket.IO clients connected to this instance' }),
    makeCounterProvider({ name: METRIC.rateLimited, help: 'Requests refused by a rate limit' }),
    makeCounterProvider({ name: METRIC.authFailures, help: 'Failed authentications', labelNames: ['reason'] }),
    makeGaugeProvider({
      name: METRIC.breakerState,
      help: 'Circuit breaker per agent: 0 closed, 1 half-open, 2 open',
      labelNames: ['agent'],
    }),
    makeHistogramProvider({
      name: METRIC.webVitals,
      help: 'Web vitals reported by browsers (ms; CLS unitless)',
      labelNames: ['name'],
      buckets: [0.01, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 50, 100, 200, 500, 1000, 1800, 2500, 4000, 10000],
    }),
    makeCounterProvider({
      name: METRIC.webhookAttempts,
      help: 'Webhook delivery attempts by outcome (succeeded, retry, failed)',
      labelNames: ['outcome'],
    }),
    makeHistogramProvider({
      name: METRIC.webhookDuration,
      help: 'Webhook delivery attempt duration, until the receiver answered or the attempt failed',
      labelNames: ['outcome'],
      buckets: SECONDS,
    }),
    makeCounterProvider({
      name: METRIC.webhooksDisabled,
      help: 'Webhook endpoints disabled for failing (deliveries failed in a row, or too long without a success)',
    }),
    makeCounterProvider({
      name: METRIC.scheduleFires,
      help: 'Schedule fires handled, by outcome (made, skipped-overlap, failed)',
      labelNames: ['outcome'],
    }),
    makeHistogramProvider({
      name: METRIC.scheduleFireLateness,
      help: 'How long after its fire time a schedule fire made its task or run',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    }),
    makeCounterProvider({
      name: METRIC.scheduleFiresMissed,
      help: 'Schedule fires passed over: missed while Redis or the workers were away, too many to make late',
    }),
    makeCounterProvider({
      name: METRIC.approvals,
      help: 'Workflow approval steps decided, by outcome (approved, rejected, timed_out)',
      labelNames: ['outcome'],
    }),
    makeGaugeProvider({
      name: METRIC.waitingSteps,
      help: 'Workflow steps waiting now across running runs, by kind (approval, wait; read when scraped)',
      labelNames: ['kind'],
    }),
    makeCounterProvider({
      name: METRIC.bulkOperations,
      help: 'Bulk operations finished, by kind (tasks, workflow-runs), action (retry, cancel) and outcome',
      labelNames: ['kind', 'action', 'outcome'],
    }),
    makeCounterProvider({
      name: METRIC.bulkItems,
      help: 'Items bulk operations handled, by kind, action and result (done: changed; failed: had moved on)',
      labelNames: ['kind', 'action', 'result'],
    }),
    makeCounterProvider({
      name: METRIC.hookCalls,
      help: 'Inbound hook calls by outcome (started, duplicate, unauthenticated, rate_limited, disabled, invalid, error)',
      labelNames: ['outcome'],
    }),
    makeCounterProvider({
      name: METRIC.triggerStarts,
      help: 'Workflow runs started by triggers on platform events, by event and outcome',
      labelNames: ['event', 'outcome'],
    }),
  ],
  exports: [Metrics],
})
export class MetricsModule implements OnModuleInit {
  /**
   * prom-client's default Node metrics include three gauges named `*_total`, which promtool refuses
   * (only counters may end in `_total`); the handle, request and resource counts go, the rest stay.
   */
  onModuleInit(): void {
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      register.removeSingleMetric(name);
    }
  }

  /** Web-vitals ingest; their retention is a periodic job (run by workers); the metrics port on workers alone. */
  static forRole(role: AppRole): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [WebVitalsController],
      imports: role === 'worker' ? [HealthIndicatorsModule] : [],
      providers: [WebVitalsRetention, ...(role === 'worker' ? [WorkerMetricsServer] : [])],
    };
  }
}
