import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';

/** The Socket.IO channel prefix in Redis, shared by the adapter (API) and the emitter (any process). */
export const socketIoKey = (redisPrefix: string) => `${redisPrefix}:socket.io`;

/**
 * Socket.IO on the Redis adapter: a broadcast from any process (a worker's emitter included) reaches the
 * clients of every API instance.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly connections: RedisConnectionFactory;

  constructor(
    app: INestApplicationContext,
    private readonly redisPrefix: string,
  ) {
    super(app);
    this.connections = app.get(RedisConnectionFactory);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    server.adapter(
      createAdapter(this.connections.create('publisher'), this.connections.create('subscriber'), {
        key: socketIoKey(this.redisPrefix),
      }),
    );
    return server;
  }
}
