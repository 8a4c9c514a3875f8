import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../auth/auth.decorators';
import { ErrorCode } from '../common/errors/error-code';
import type { Page } from '../common/http/envelope';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { AuditService, type AuditVerification } from './audit.service';
import { AuditQueryDto } from './dto/audit-query.dto';
import { AuditLogEntity } from './entities/audit-log.entity';

class AuditVerificationDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ description: 'Entries checked' }) checked!: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'First entry whose hash or link does not hold' })
  firstBrokenId?: string;
}

@ApiTags('audit')
@ApiBearerAuth('bearer')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@RequirePermissions('audit:read')
@Controller('audit-logs')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    operationId: 'listAuditLogs',
    summary: 'Query the audit log, newest first (admins)',
    description:
      'Entries are written with their change and join the hash chain within about 200 ms; a read first ' +
      'chains whatever is still waiting, so it sees every committed entry.',
  })
  @ApiEnvelope(AuditLogEntity, { list: true })
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  list(@Query() query: AuditQueryDto): Promise<Page<AuditLogEntity>> {
    return this.audit.list(query);
  }

  @Get('verify')
  @ApiOperation({
    operationId: 'verifyAuditChain',
    summary: 'Recompute the hash chain and report the first broken entry (admins)',
  })
  @ApiEnvelope(AuditVerificationDto)
  verify(): Promise<AuditVerification> {
    return this.audit.verify();
  }
}
