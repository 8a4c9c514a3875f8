import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { NotFoundFallback } from './http/not-found.fallback';
import { createValidationPipe } from './http/validation';

/**
 * What every API route shares in Nest: validation and the error format. The success envelope is put on by
 * the HTTP adapter (EnvelopeExpressAdapter), the deadline by a middleware (requestDeadline), and the audit
 * entry of a state-changing route by its services, guard and filter (`@AuditAction`); no route has an
 * interceptor.
 */
@Module({
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    NotFoundFallback,
  ],
})
export class CommonModule {}
