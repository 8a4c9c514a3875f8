import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MetadataModule } from '../common/metadata/metadata.module';
import { AuditChainer } from './audit-chainer';
import { AuditCoverage } from './audit-coverage';
import { AuditContextStore } from './audit-context';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditService } from './audit.service';

@Global()
@Module({
  // Also booted without the root module (by the CLI), so it brings the route metadata its interceptor reads.
  imports: [MetadataModule, DiscoveryModule],
  controllers: [AuditController],
  // The interceptor runs on the routes `@AuditAction` marks, in the modules that declare them.
  providers: [AuditService, AuditChainer, AuditContextStore, AuditInterceptor, AuditCoverage],
  exports: [AuditService, AuditChainer, AuditContextStore],
})
export class AuditModule {}
