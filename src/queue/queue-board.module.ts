import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MAINTENANCE_QUEUE } from '../jobs/queues';
import { UsersModule } from '../users/users.module';
import { BoardSessions } from './board-sessions';
import { MaintenanceQueue } from './maintenance-queue';
import { QueueBoardController } from './queue-board.controller';

/**
 * The queue board's browser sessions (the board itself is mounted on Express: see queue-board.ts), and a
 * handle on the maintenance queue (periodic jobs), which no producer of this process may hold.
 */
@Module({
  imports: [UsersModule, AuthModule, BullModule.registerQueue({ name: MAINTENANCE_QUEUE })],
  controllers: [QueueBoardController],
  providers: [BoardSessions, MaintenanceQueue],
  exports: [BoardSessions],
})
export class QueueBoardModule {}
