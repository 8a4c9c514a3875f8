import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { AuthModule } from '../auth/auth.module';
import { ThrottlingModule } from '../throttling/throttling.module';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AgentEventsController } from './agent-events.controller';
import { BatchWindows } from './event-batches';
import { EventsGateway } from './events.gateway';
import { LiveLimits } from './live-limits';

/** Live updates for clients (API instances only), relayed from the event bus and its fanout (EventBusModule). */
@Module({
  imports: [AuthModule, AgentsModule, ThrottlingModule],
  controllers: [AgentEventsController],
  providers: [
    EventsGateway,
    LiveLimits,
    // One share of the process's time for sending batched events, the Socket.IO rooms' and SSE streams' together.
    {
      provide: BatchWindows,
      useFactory: (config: AppConfig) => new BatchWindows(config.events.batchMs),
      inject: [APP_CONFIG],
    },
  ],
  exports: [EventsGateway],
})
export class EventsModule {}
