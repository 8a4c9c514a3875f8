import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags, ApiSecurity } from '@nestjs/swagger';
import { RequirePermissions } from '../auth/auth.decorators';
import { AppError, NotFoundError } from '../common/errors/app.error';
import { ErrorCode } from '../common/errors/error-code';
import { Page } from '../common/http/envelope';
import { PageQueryDto } from '../common/http/page-query.dto';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { AuditCheckpoints } from './audit-checkpoints';
import { AuditLogList } from './audit-log-list';
import { AuditRetention } from './audit-retention';
import { type AuditVerification, AuditVerifier } from './audit-verifier';
import { AuditQueryDto } from './dto/audit-query.dto';
import {
  ArchiveVerificationDto,
  AuditCheckpointDto,
  AuditVerificationDto,
  AuditVerifyQueryDto,
} from './dto/audit-verification.dto';
import { AuditLogEntity } from './entities/audit-log.entity';
import type { AuditCheckpointEntity } from './entities/audit-checkpoint.entity';

/** A checkpoint's id: its bigint, in decimal. */
const CHECKPOINT_ID = /^[1-9][0-9]{0,17}$/;

@ApiTags('audit')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@RequirePermissions('audit:read')
@Controller('audit-logs')
export class AuditController {
  constructor(
    private readonly entries: AuditLogList,
    private readonly verifier: AuditVerifier,
    private readonly checkpoints: AuditCheckpoints,
    private readonly retention: AuditRetention,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listAuditLogs',
    summary: 'Query the audit log, newest first (admins)',
    description:
      'Entries are written with their change and join the hash chain within about 200 ms; a read first ' +
      'chains whatever is still waiting, so it sees every committed entry. `total` is counted up to 10,000 ' +
      'past `skip`: beyond that it is a lower bound and `totalCapped` is true; `hasMore` says whether items ' +
      'follow. For deep paging pass the last `seq` of a page as `beforeSeq`.',
  })
  @ApiEnvelope(AuditLogEntity, { list: true, bounded: true })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  list(@Query() query: AuditQueryDto): Promise<Page<AuditLogEntity>> {
    return this.entries.list(query);
  }

  @Get('verify')
  @ApiOperation({
    operationId: 'verifyAuditChain',
    summary: 'Recompute the hash chain and report the first broken entry (admins)',
    description:
      'Streams the chain in order, over all of it or a range (`fromSeq`/`toSeq`, or `from`/`to` in time). Entries ' +
      'archived by retention are no longer in the chain: a range that begins before the latest checkpoint starts ' +
      'from it (its signature checked; `anchor.kind` is `checkpoint`). A pass stops after half of ' +
      'REQUEST_TIMEOUT_MS with `complete: false` and `nextFromSeq` to go on from. The walk runs in a thread of its ' +
      'own; one that cannot finish (the database lost mid-walk) answers 503.',
  })
  @ApiEnvelope(AuditVerificationDto)
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.SERVICE_UNAVAILABLE)
  verify(@Query() query: AuditVerifyQueryDto): Promise<AuditVerification> {
    return this.verifier.verify(query);
  }

  @Get('checkpoints')
  @ApiOperation({
    operationId: 'listAuditCheckpoints',
    summary: 'Signed checkpoints of the archived audit entries, newest first (admins)',
  })
  @ApiEnvelope(AuditCheckpointDto, { list: true })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  async listCheckpoints(@Query() query: PageQueryDto): Promise<Page<AuditCheckpointEntity>> {
    const [items, total] = await this.checkpoints.list(query.skip, query.limit);
    return new Page(items, total, query.skip, query.limit);
  }

  @Get('checkpoints/:id/verify')
  @ApiOperation({
    operationId: 'verifyAuditArchive',
    summary: 'Check a checkpoint’s signature and read its archive back against it (admins)',
  })
  @ApiParam({
    name: 'id',
    schema: { type: 'string', pattern: CHECKPOINT_ID.source },
    description: 'The checkpoint’s `id`: a decimal number, not a UUID (anything else answers 400)',
  })
  @ApiEnvelope(ArchiveVerificationDto)
  @ApiErrors(ErrorCode.BAD_REQUEST, ErrorCode.NOT_FOUND)
  async verifyArchive(@Param('id') id: string): Promise<ArchiveVerificationDto> {
    // Refused as a path id that is not a UUID is elsewhere: 400 `BAD_REQUEST`, naming the path.
    if (!CHECKPOINT_ID.test(id))
      throw new AppError(ErrorCode.BAD_REQUEST, 'Validation failed (a checkpoint id is expected)', [
        {
          field: 'path',
          message: 'must be a checkpoint id: a decimal number of 1 to 18 digits, without leading zeros',
        },
      ]);
    const checkpoint = await this.checkpoints.find(id);
    if (!checkpoint) throw new NotFoundError('Checkpoint');
    return this.retention.checkArchive(checkpoint);
  }
}
