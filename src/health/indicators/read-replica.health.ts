import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ReadDatabase } from '../../database/read-database';

/**
 * The read replica's state. Always `up`: while the replica is down or lagging, reads go to the primary, so
 * the process stays ready; `state: degraded` (with the reason and the lag) tells the operator.
 */
@Injectable()
export class ReadReplicaHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly reads: ReadDatabase,
  ) {}

  check(key = 'readReplica') {
    const indicator = this.health.check(key);
    if (!this.reads.configured) return indicator.up({ state: 'unset', serving: 'primary' });
    const { condition, lagMs, maxLagMs, reason, checkedAt } = this.reads.status();
    const streaming = condition === 'streaming';
    return indicator.up({
      state: streaming ? 'ok' : 'degraded',
      condition,
      serving: streaming ? 'replica' : 'primary',
      lagMs,
      maxLagMs,
      ...(reason ? { reason } : {}),
      checkedAt: checkedAt?.toISOString() ?? null,
    });
  }
}
