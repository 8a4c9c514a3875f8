import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { AuthModule } from '../auth/auth.module';
import { AgentEventsController } from './agent-events.controller';
import { EventsGateway } from './events.gateway';

/** Live updates for clients (API instances only), relayed from the event bus and its fanout (EventBusModule). */
@Module({
  imports: [AuthModule, AgentsModule],
  controllers: [AgentEventsController],
  providers: [EventsGateway],
  exports: [EventsGateway],
})
export class EventsModule {}
