import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditService } from '../audit/audit.service';
import { assertHolds, isAdmin, type Principal } from '../auth/principal';
import { NotFoundError, ValidationFailedError } from '../common/errors/app.error';
import { Page } from '../common/http/envelope';
import { filterProblems, type StoredFilter } from './bulk-filter';
import { BulkQueue } from './bulk-queue';
import { BulkTargets } from './bulk-targets';
import { BULK_KINDS, type BulkAction, type BulkKind } from './entities/bulk-operation.entity';
import { type BulkOperation, BulkOperationRepository } from './persistence/bulk-operation.repository';
import type { BulkOperationStore } from './ports';

/** A bulk request as the controllers hand it over. */
export interface BulkRequest {
  action: BulkAction;
  filter: object;
  dryRun?: boolean;
  all?: boolean;
}

/** What a bulk request came to: only a count (dry run), or the operation that will do it. */
export type BulkCreated = { matched: number } | { operation: BulkOperation };

/** Which permission reads operations of each kind. */
const READ_PERMISSION = { tasks: 'tasks:read', 'workflow-runs': 'workflows:read' } as const;

/** The kinds of operation the caller may read: those whose items' read permission they hold. */
function readableKinds(principal: Principal): BulkKind[] {
  return BULK_KINDS.filter((kind) => principal.permissions.has(READ_PERMISSION[kind]));
}

/**
 * Bulk operations as their users ask for them: checked (a filter that cannot retry or cancel everything by
 * mistake), counted, stored with one audit entry and queued; read and listed by their creators (admins: all),
 * each kind by those who may read its items (`tasks:read`, `workflows:read`). A non-admin's filter carries their
 * user id, so the operation reaches only their own items.
 */
@Injectable()
export class BulkOperationsService {
  private readonly logger = new Logger(BulkOperationsService.name);

  constructor(
    @Inject(BulkOperationRepository) private readonly store: BulkOperationStore,
    private readonly targets: BulkTargets,
    private readonly queue: BulkQueue,
    private readonly audit: AuditService,
  ) {}

  async create(
    principal: Principal,
    kind: BulkKind,
    request: BulkRequest,
    context?: AuditRequestContext,
  ): Promise<BulkCreated> {
    const filter = JSON.parse(JSON.stringify(request.filter)) as StoredFilter;
    const problems = filterProblems(kind, request.action, filter, request.all);
    if (problems.length) throw new ValidationFailedError(problems, 'The bulk request cannot be carried out safely');
    // What a retry runs again may read a stored file (a data-processor task, a run's step): as its single retry
    // would, it takes files:read (which every role holds; an API key may lack it), dry run or not.
    if (request.action === 'retry') assertHolds(principal, 'files:read', 'A bulk retry (what it runs may read a file)');
    if (!isAdmin(principal)) filter.createdBy = principal.userId;
    const snapshotAt = new Date();
    const matched = await this.targets.of(kind).count(request.action, filter, snapshotAt);
    const details = { kind, action: request.action, filter, matched };
    if (request.dryRun) {
      await this.audit.record(
        { action: 'bulk_operation.dry_run', outcome: 'success', resourceType: 'bulkOperation', details },
        undefined,
        context,
      );
      return { matched };
    }
    const operation = await this.store.create(
      { kind, action: request.action, filter, matched, snapshotAt, createdBy: principal.userId },
      (op) => ({
        action: 'bulk_operation.create',
        outcome: 'success',
        resourceType: 'bulkOperation',
        resourceId: op.id,
        details,
      }),
      context,
    );
    // Redis away: the operation is stored, and the reconciler queues it once Redis is back.
    await this.queue
      .add(operation.id)
      .catch((err: Error) => this.logger.warn(`bulk operation ${operation.id} not yet queued: ${err.message}`));
    return { operation };
  }

  async get(principal: Principal, id: string): Promise<BulkOperation> {
    const op = await this.store.findById(id, isAdmin(principal) ? undefined : principal.userId);
    if (!op || !principal.permissions.has(READ_PERMISSION[op.kind])) throw new NotFoundError('Bulk operation');
    return op;
  }

  /** The caller's operations (admins: all) of the kinds they may read; `total` counts those alone. */
  async list(principal: Principal, skip: number, limit: number): Promise<Page<BulkOperation>> {
    const kinds = readableKinds(principal);
    if (!kinds.length) return new Page([], 0, skip, limit);
    const createdBy = isAdmin(principal) ? undefined : principal.userId;
    const { items, total } = await this.store.list(createdBy, kinds, skip, limit);
    return new Page(items, total, skip, limit);
  }
}
