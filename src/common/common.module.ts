import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { EnvelopeInterceptor } from './http/envelope.interceptor';
import { HttpPipelineInterceptor } from './http/http-pipeline.interceptor';
import { NotFoundFallback } from './http/not-found.fallback';
import { TimeoutInterceptor } from './http/timeout.interceptor';
import { createValidationPipe } from './http/validation';

/** The request pipeline every API route shares: validation, envelope, audit, timeout and the error format. */
@Module({
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    TimeoutInterceptor,
    EnvelopeInterceptor,
    { provide: APP_INTERCEPTOR, useClass: HttpPipelineInterceptor },
    NotFoundFallback,
  ],
})
export class CommonModule {}
