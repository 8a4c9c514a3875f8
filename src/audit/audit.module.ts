import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MetadataModule } from '../common/metadata/metadata.module';
import { AuditChainer } from './audit-chainer';
import { AuditCoverage } from './audit-coverage';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuditTrails } from './audit-trails';
import { AuditCheckpoints } from './audit-checkpoints';
import { AuditLogList } from './audit-log-list';
import { AuditRetention } from './audit-retention';
import { AuditVerifier } from './audit-verifier';

@Global()
@Module({
  // Also booted without the root module (by the CLI), so it brings the route-metadata reader the audit
  // trails need in every module whose routes `@AuditAction` marks.
  imports: [MetadataModule, DiscoveryModule],
  controllers: [AuditController],
  // The audit trail guard and failure filter are not provided here: `@AuditAction` puts them on each route,
  // in the route's own module.
  providers: [
    AuditService,
    AuditChainer,
    AuditCoverage,
    AuditTrails,
    AuditCheckpoints,
    AuditLogList,
    AuditVerifier,
    AuditRetention,
  ],
  exports: [AuditService, AuditChainer, AuditTrails],
})
export class AuditModule {}
