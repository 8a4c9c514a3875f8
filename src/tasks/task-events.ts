import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import type Redis from 'ioredis';
import { Observable, share, Subject } from 'rxjs';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { REDIS } from '../redis/redis.module';
import { socketIoKey } from '../events/redis-io.adapter';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import type { TaskEntity, TaskStatus } from './entities/task.entity';

/** What clients see of a task change, on SSE and Socket.IO. */
export interface TaskEvent {
  taskId: string;
  agentId: string;
  createdBy: string;
  status: TaskStatus;
  progress: number;
  progressMessage: string | null;
  attempts: number;
  error: TaskEntity['error'];
  updatedAt: string;
}

export function taskEvent(task: TaskEntity): TaskEvent {
  return {
    taskId: task.id,
    agentId: task.agentId,
    createdBy: task.createdBy,
    status: task.status,
    progress: task.progress,
    progressMessage: task.progressMessage,
    attempts: task.attempts,
    error: task.error,
    updatedAt: new Date().toISOString(),
  };
}

/**
 * Task changes leave the process that made them twice over Redis: on a channel that SSE streams read, and
 * through the Socket.IO Redis emitter to the rooms of every API instance. Publishing never fails the caller;
 * subscribing opens one connection per process, on first use.
 */
@Injectable()
export class TaskEvents implements OnModuleDestroy {
  private readonly logger = new Logger(TaskEvents.name);
  private readonly channel: string;
  private subscriber?: Redis;
  private stream?: Observable<TaskEvent>;
  private readonly subject = new Subject<TaskEvent>();
  private readonly sockets: ReturnType<Emitter['of']>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly connections: RedisConnectionFactory,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.channel = `${config.redis.prefix}:events:tasks`;
    this.sockets = new Emitter(connections.create('publisher'), { key: socketIoKey(config.redis.prefix) }).of(
      '/events',
    );
  }

  /** To SSE streams (the Redis channel) and to Socket.IO rooms on every API instance (the Redis adapter). */
  async publish(event: TaskEvent): Promise<void> {
    const rooms = [
      `task:${event.taskId}`,
      `agent:${event.agentId}:all`,
      `agent:${event.agentId}:user:${event.createdBy}`,
    ];
    try {
      this.sockets.to(rooms).emit('task.updated', event);
      await this.redis.publish(this.channel, JSON.stringify(event));
    } catch (err) {
      this.logger.warn(`could not publish a task event: ${(err as Error).message}`);
    }
  }

  /** Every task event, as seen by this process. */
  events(): Observable<TaskEvent> {
    if (!this.stream) {
      this.subscriber = this.connections.create('subscriber');
      void this.subscriber.subscribe(this.channel);
      this.subscriber.on('message', (_channel: string, message: string) => {
        try {
          this.subject.next(JSON.parse(message) as TaskEvent);
        } catch {
          this.logger.warn('ignored a malformed task event');
        }
      });
      this.stream = this.subject.asObservable().pipe(share());
    }
    return this.stream;
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }
}
