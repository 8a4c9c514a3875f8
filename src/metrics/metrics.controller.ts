import { Controller, Get, Inject, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Request, Response } from 'express';
import { safeEqualHex, sha256Hex } from '../common/crypto/hashing';
import { ErrorCode } from '../common/errors/error-code';
import { UnauthenticatedError } from '../common/errors/app.error';
import { AcceptsAnyQuery } from '../common/http/declared-query.guard';
import { Public } from '../common/http/public.decorator';
import { ApiErrors } from '../common/swagger/api-envelope';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventsGateway } from '../events/events.gateway';
import { JOB_COUNT_STATES, QueueCounts } from '../queue/queue-counts';
import { WorkflowsService } from '../workflows/workflows.service';
import { Metrics } from './metrics.service';

/**
 * How long a scrape waits for each gauge read from a store (the queues' counts from Redis, the waiting workflow
 * steps from PostgreSQL): a store down or not answering must not hold the scrape until its connection times out.
 */
const STORE_READ_TIMEOUT_MS = 1000;

/** The kinds of workflow step `workflow_steps_waiting` counts. */
const WAITING_STEP_KINDS = ['approval', 'wait'] as const;

/** The work's result, or undefined when it fails or takes longer than `ms`. */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([work.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}

/** Prometheus text format; with METRICS_TOKEN set, only for `Authorization: Bearer <token>`. */
@ApiTags('metrics')
@Public()
@AcceptsAnyQuery()
@SkipThrottle()
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController extends PrometheusController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly moduleRef: ModuleRef,
  ) {
    super();
  }

  @Get()
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics, in its text format (docs/api.md lists them)',
    description: 'With `METRICS_TOKEN` set, `Authorization: Bearer <METRICS_TOKEN>` is required; without it, none.',
  })
  // Either the metrics token, or nothing (when METRICS_TOKEN is not set).
  @ApiSecurity('metricsToken')
  @ApiSecurity({})
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'Prometheus text exposition format 0.0.4',
    content: {
      'text/plain': {
        schema: { type: 'string', example: 'http_requests_total{method="GET",route="/api/v1/tasks",status="200"} 42' },
      },
    },
  })
  @ApiErrors(ErrorCode.UNAUTHENTICATED)
  override async index(@Res({ passthrough: true }) response: Response): Promise<string> {
    this.authorize(response.req);
    await this.refreshGauges();
    return super.index(response);
  }

  private authorize(req: Request): void {
    const token = this.config.metrics.token;
    if (!token) return;
    const presented = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!safeEqualHex(sha256Hex(presented), sha256Hex(token)))
      throw new UnauthenticatedError('A valid metrics token is required');
  }

  /**
   * Gauges read when scraped: every queue's depth from BullMQ and the waiting workflow steps from PostgreSQL, read
   * together, each within {@link STORE_READ_TIMEOUT_MS}; sockets from the gateway. A count that cannot be read is
   * left out of this scrape rather than shown stale.
   */
  private async refreshGauges(): Promise<void> {
    const queues = this.moduleRef.get(QueueCounts, { strict: false });
    const workflows = this.moduleRef.get(WorkflowsService, { strict: false });
    const [counts, waiting] = await Promise.all([
      within(queues.all(), STORE_READ_TIMEOUT_MS),
      within(workflows.waitingStepCounts(), STORE_READ_TIMEOUT_MS),
    ]);
    if (!counts) this.metrics.queueJobs.reset();
    for (const [queue, byState] of Object.entries(counts ?? {})) {
      for (const state of JOB_COUNT_STATES) this.metrics.queueJobs.set({ queue, state }, byState[state]);
    }
    if (!waiting) this.metrics.waitingSteps.reset();
    for (const kind of WAITING_STEP_KINDS) {
      if (waiting) this.metrics.waitingSteps.set({ kind }, waiting[kind] ?? 0);
    }
    let connections = 0;
    try {
      connections = this.moduleRef.get(EventsGateway, { strict: false }).connections;
    } catch {
      // No gateway in this process.
    }
    this.metrics.wsConnections.set(connections);
  }
}
