import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { BoardSessions } from './board-sessions';
import { QueueBoardController } from './queue-board.controller';

/** The queue board's browser sessions (the board itself is mounted on Express: see queue-board.ts). */
@Module({
  imports: [UsersModule],
  controllers: [QueueBoardController],
  providers: [BoardSessions],
  exports: [BoardSessions],
})
export class QueueBoardModule {}
