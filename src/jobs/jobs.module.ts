import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { PeriodicJobs } from './periodic-jobs';

/** The maintenance queue, its job schedulers and its worker: every {@link PeriodicJob} of the application. */
@Module({ imports: [DiscoveryModule], providers: [PeriodicJobs] })
export class JobsModule {}
