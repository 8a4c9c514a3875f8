import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import type Redis from 'ioredis';
import { type Observable, Subject } from 'rxjs';
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

/** What clients see of a workflow run change. */
export interface RunEvent {
  runId: string;
  workflowId: string;
  createdBy: string;
  status: string;
  steps: { id: string; status: string; taskId: string | null }[];
  updatedAt: string;
}

/** The parts of a run an event is made of (kept structural so tasks need not know workflows). */
export interface RunEventSource {
  id: string;
  workflowId: string;
  createdBy: string;
  status: string;
  steps: Record<string, { status: string; taskId: string | null }>;
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
  private subscribed?: Promise<unknown>;
  private readonly subject = new Subject<TaskEvent>();
  private readonly runSubject = new Subject<RunEvent>();
  private readonly runChannel: string;
  private readonly sockets: ReturnType<Emitter['of']>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly connections: RedisConnectionFactory,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.channel = `${config.redis.prefix}:events:tasks`;
    this.runChannel = `${config.redis.prefix}:events:runs`;
    this.sockets = new Emitter(connections.create('publisher'), { key: socketIoKey(config.redis.prefix) }).of(
      '/events',
    );
  }

  /** To SSE streams (the Redis channel) and to Socket.IO rooms on every API instance (the Redis adapter). */
  publish(event: TaskEvent): void {
    const rooms = [
      `task:${event.taskId}`,
      `agent:${event.agentId}:all`,
      `agent:${event.agentId}:user:${event.createdBy}`,
    ];
    this.send(this.channel, event, () => this.sockets.to(rooms).emit('task.updated', event));
  }

  /** A workflow run changed: to its SSE streams and its Socket.IO room. */
  publishRun(run: RunEventSource): void {
    const event: RunEvent = {
      runId: run.id,
      workflowId: run.workflowId,
      createdBy: run.createdBy,
      status: run.status,
      steps: Object.entries(run.steps).map(([id, s]) => ({ id, status: s.status, taskId: s.taskId })),
      updatedAt: new Date().toISOString(),
    };
    this.send(this.runChannel, event, () => this.sockets.to(`run:${run.id}`).emit('run.updated', event));
  }

  /**
   * Both publishes leave without waiting for Redis to answer: commands on one connection keep their
   * order, so a task's events arrive in the order they were made, and the caller is never held up.
   */
  private send(channel: string, event: TaskEvent | RunEvent, emit: () => void): void {
    const failed = (err: unknown): void =>
      this.logger.warn(`could not publish an event on ${channel}: ${(err as Error).message}`);
    try {
      emit();
      this.redis.publish(channel, JSON.stringify(event)).catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  /** Every run event, as seen by this process. */
  runEvents(): Observable<RunEvent> {
    this.ensureSubscribed();
    return this.runSubject.asObservable();
  }

  /** Every task event, as seen by this process. */
  events(): Observable<TaskEvent> {
    this.ensureSubscribed();
    return this.subject.asObservable();
  }

  /** Resolves once this process receives events (its Redis subscription is confirmed). */
  async listening(): Promise<void> {
    this.ensureSubscribed();
    await this.subscribed;
  }

  private ensureSubscribed(): void {
    if (this.subscriber) return;
    this.subscriber = this.connections.create('subscriber');
    this.subscribed = this.subscriber.subscribe(this.channel, this.runChannel).catch((err: Error) => {
      this.logger.warn(`could not subscribe to events: ${err.message}`);
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      try {
        if (channel === this.runChannel) this.runSubject.next(JSON.parse(message) as RunEvent);
        else this.subject.next(JSON.parse(message) as TaskEvent);
      } catch {
        this.logger.warn('ignored a malformed event');
      }
    });
  }

  onModuleDestroy(): void {
    this.subject.complete();
    this.runSubject.complete();
  }
}
