import { Global, Module } from '@nestjs/common';
import { EventBus } from './event-bus';

/** The live-event bus on Redis, in every process: workers and APIs publish, APIs relay to their clients. */
@Global()
@Module({ providers: [EventBus], exports: [EventBus] })
export class EventBusModule {}
