import { Global, Module } from '@nestjs/common';
import Redis from 'ioredis';
import { RedisConnectionFactory } from './redis-connection.factory';

/** Shared command connection (keys prefixed with REDIS_PREFIX). */
export const REDIS = Symbol('REDIS');

@Global()
@Module({
  providers: [
    RedisConnectionFactory,
    {
      provide: REDIS,
      inject: [RedisConnectionFactory],
      useFactory: (factory: RedisConnectionFactory): Redis => factory.create('commands'),
    },
  ],
  exports: [RedisConnectionFactory, REDIS],
})
export class RedisModule {}
