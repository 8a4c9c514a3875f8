import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { QueueCounts } from './queue-counts';

/** BullMQ on the shared Redis factory: queue keys live under `<REDIS_PREFIX>:bull:`. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [RedisConnectionFactory],
      useFactory: (connections: RedisConnectionFactory) => ({
        connection: connections.create('queue'),
        prefix: connections.queuePrefix,
        // Failed jobs keep their reason, not the stack trace with the server's paths (the queue board shows jobs).
        defaultJobOptions: { stackTraceLimit: 0 },
      }),
    }),
  ],
  providers: [QueueCounts],
  exports: [QueueCounts],
})
export class QueueModule {}
