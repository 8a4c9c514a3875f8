import { Global, Module } from '@nestjs/common';
import { IdleHeapTrimmer } from './idle-heap-trimmer';
import { ShutdownDeadline } from './shutdown-deadline';

/** What every process of any role does for itself; its shutdown's start is read wherever a hook times its part. */
@Global()
@Module({ providers: [IdleHeapTrimmer, ShutdownDeadline], exports: [ShutdownDeadline] })
export class ProcessModule {}
