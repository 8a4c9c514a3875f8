import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { AuthModule } from '../auth/auth.module';
import { AgentEventsController } from './agent-events.controller';
import { EventsGateway } from './events.gateway';
import { TaskEventFanout } from './task-event-fanout';

/** Live updates for clients (API instances only), relayed from the event bus (EventBusModule). */
@Module({
  imports: [AuthModule, AgentsModule],
  controllers: [AgentEventsController],
  providers: [EventsGateway, TaskEventFanout],
  exports: [EventsGateway],
})
export class EventsModule {}
