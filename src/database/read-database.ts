import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ProcessTimer } from '../jobs/process-timer';
import { dataSourceOptions } from './data-source-options';
import { conditionOf, LAG_SQL, mayUseReplica, readContext, type ReplicaState } from './read-target';

export const REPLICA_LAG_METRIC = 'database_read_replica_lag_seconds';

/** A lag check that takes longer than this counts as the replica being down. */
const CHECK_TIMEOUT_MS = 1000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Where list, stats and audit reads go: the replica named by `DATABASE_READ_URL` while it streams within
 * `DATABASE_READ_MAX_LAG_MS` and the HTTP request allows it (see {@link needsPrimary}), else the primary.
 * Without a replica {@link reader} is the primary and nothing else runs. The replica's connections are
 * read-only (`default_transaction_read_only`), so nothing can write through them, even on a primary.
 */
@Injectable()
export class ReadDatabase implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ReadDatabase.name);
  private readonly replica?: DataSource;
  private readonly timer?: ProcessTimer;
  private state: ReplicaState = { condition: 'unset', lagMs: null };
  private checking = false;

  constructor(
    @InjectDataSource() private readonly primary: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectMetric(REPLICA_LAG_METRIC) private readonly lagGauge: Gauge<string>,
  ) {
    const { read } = config.database;
    // The worker serves no lists: only processes that answer HTTP open the replica.
    if (!read.url || config.role === 'worker') return;
    this.replica = new DataSource(readDataSourceOptions(config, read.url));
    this.state = { condition: 'down', lagMs: null, reason: 'not checked yet' };
    this.timer = new ProcessTimer('read replica check', read.checkMs, () => this.check(), this.logger);
  }

  /** The data source for a list, stats or audit read made now. */
  reader(): DataSource {
    return this.replica && mayUseReplica(this.state, readContext.getStore()) ? this.replica : this.primary;
  }

  /** The replica's last measured condition, for the health check. */
  status(): ReplicaState & { maxLagMs: number } {
    return { ...this.state, maxLagMs: this.config.database.read.maxLagMs };
  }

  get configured(): boolean {
    return this.replica !== undefined;
  }

  async onModuleInit(): Promise<void> {
    if (!this.timer) return;
    // A replica that is down at start-up does not stop the process: reads use the primary until it answers.
    await this.check();
    this.timer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.timer?.stop();
    if (this.replica?.isInitialized) await this.replica.destroy().catch(() => undefined);
  }

  /** Measures the replica's lag once; connects first when it is not connected yet. */
  async check(): Promise<void> {
    if (!this.replica || this.checking) return;
    this.checking = true;
    try {
      if (!this.replica.isInitialized) await withTimeout(this.replica.initialize(), CHECK_TIMEOUT_MS * 5);
      const [row] = await withTimeout(this.replica.query<{ lag_ms: number }[]>(LAG_SQL), CHECK_TIMEOUT_MS);
      const lagMs = Math.max(0, Math.round(Number(row.lag_ms)));
      const condition = conditionOf(lagMs, this.config.database.read.maxLagMs);
      this.change({
        condition,
        lagMs,
        reason:
          condition === 'lagging' ? `lag ${lagMs} ms exceeds ${this.config.database.read.maxLagMs} ms` : undefined,
      });
      this.lagGauge.set(lagMs / 1000);
    } catch (err) {
      this.change({ condition: 'down', lagMs: null, reason: (err as Error).message });
      this.lagGauge.set(-1);
    } finally {
      this.checking = false;
    }
  }

  private change(next: Omit<ReplicaState, 'checkedAt'>): void {
    // The first check's finding is logged too: a replica unreachable from the start is a setting to mend.
    if (next.condition !== this.state.condition || !this.state.checkedAt) {
      const log = next.condition === 'streaming' ? 'log' : 'warn';
      this.logger[log](`read replica ${next.condition}${next.reason ? `: ${next.reason}` : ''}`);
    }
    this.state = { ...next, checkedAt: new Date() };
  }
}

/** The primary's options pointed at the replica: no migrations, a read-only session, its own name. */
export function readDataSourceOptions(config: AppConfig, url: string) {
  const base = dataSourceOptions(config);
  return {
    ...base,
    url,
    migrations: [],
    extra: {
      ...base.extra,
      application_name: `ymera-${config.role}-read`,
      options: '-c default_transaction_read_only=on',
    },
  } as typeof base;
}
