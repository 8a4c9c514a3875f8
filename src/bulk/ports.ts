import type { Metrics } from '../metrics/metrics.service';
import type { BulkTargets } from './bulk-targets';
import type { BulkOperationRepository } from './persistence/bulk-operation.repository';

/**
 * What the bulk services need of their collaborators, as interfaces: Nest injects the real classes, unit specs
 * pass small fakes (test/fakes/).
 */
export type BulkOperationStore = Pick<
  BulkOperationRepository,
  'create' | 'findById' | 'list' | 'start' | 'advance' | 'finish' | 'stale'
>;
export type BulkMetrics = Pick<Metrics, 'bulkOperationFinished' | 'bulkItems'>;
export type BulkTargetSource = Pick<BulkTargets, 'of'>;
