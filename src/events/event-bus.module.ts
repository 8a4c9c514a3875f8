import { Global, Module } from '@nestjs/common';
import { EventBus } from './event-bus';
import { TaskEventFanout } from './task-event-fanout';

/**
 * The live-event bus on Redis, in every process: workers and APIs publish, APIs relay to their clients. Its
 * fanout indexes the SSE streams of this process by room (agents', tasks' and runs'); it reads nothing while
 * none is open.
 */
@Global()
@Module({ providers: [EventBus, TaskEventFanout], exports: [EventBus, TaskEventFanout] })
export class EventBusModule {}
