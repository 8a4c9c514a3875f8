import { Module } from '@nestjs/common';
import { IdleHeapTrimmer } from './idle-heap-trimmer';

/** What every process of any role does for itself. */
@Module({ providers: [IdleHeapTrimmer] })
export class ProcessModule {}
