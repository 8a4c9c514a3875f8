import { Global, Module } from '@nestjs/common';
import { MetadataModule } from '../common/metadata/metadata.module';
import { AuditChainer } from './audit-chainer';
import { AuditContextStore } from './audit-context';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditService } from './audit.service';

@Global()
@Module({
  // Also booted without the root module (by the CLI), so it brings the route metadata its interceptor reads.
  imports: [MetadataModule],
  controllers: [AuditController],
  // The interceptor runs in the API's shared request pipeline (HttpPipelineInterceptor).
  providers: [AuditService, AuditChainer, AuditContextStore, AuditInterceptor],
  exports: [AuditService, AuditChainer, AuditContextStore, AuditInterceptor],
})
export class AuditModule {}
