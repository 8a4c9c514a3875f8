import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { AuthModule } from '../auth/auth.module';
import { ThrottlingModule } from '../throttling/throttling.module';
import { AgentEventsController } from './agent-events.controller';
import { EventsGateway } from './events.gateway';
import { LiveLimits } from './live-limits';

/** Live updates for clients (API instances only), relayed from the event bus and its fanout (EventBusModule). */
@Module({
  imports: [AuthModule, AgentsModule, ThrottlingModule],
  controllers: [AgentEventsController],
  providers: [EventsGateway, LiveLimits],
  exports: [EventsGateway],
})
export class EventsModule {}
