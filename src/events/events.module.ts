import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventsGateway } from './events.gateway';

/** Live updates for clients (API instances only), relayed from the event bus (EventBusModule). */
@Module({ imports: [AuthModule], providers: [EventsGateway], exports: [EventsGateway] })
export class EventsModule {}
