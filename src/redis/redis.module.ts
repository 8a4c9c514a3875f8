import { Global, Module } from '@nestjs/common';
import Redis from 'ioredis';
import { RedisConnectionFactory } from './redis-connection.factory';
import { REDIS } from './redis.constants';
import { SharedCaches } from './shared-cache';

export { REDIS };

@Global()
@Module({
  providers: [
    RedisConnectionFactory,
    SharedCaches,
    {
      provide: REDIS,
      inject: [RedisConnectionFactory],
      useFactory: (factory: RedisConnectionFactory): Redis => factory.create('commands'),
    },
  ],
  exports: [RedisConnectionFactory, REDIS, SharedCaches],
})
export class RedisModule {}
