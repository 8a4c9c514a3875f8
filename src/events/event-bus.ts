import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { type Observable, Subject } from 'rxjs';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { REDIS } from '../redis/redis.module';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';

/** What clients see of a task change, on SSE and Socket.IO. */
export interface TaskEvent {
  taskId: string;
  agentId: string;
  createdBy: string;
  /** One of the task statuses of the contract. */
  status: string;
  progress: number;
  progressMessage: string | null;
  attempts: number;
  error: { code: string; message: string } | null;
  /** In a final event only (succeeded, failed, cancelled), so a page needs no second request; the others stay small. */
  output?: unknown;
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

/** The parts of a run an event is made of (structural: the bus knows neither tasks nor workflows). */
export interface RunEventSource {
  id: string;
  workflowId: string;
  createdBy: string;
  status: string;
  steps: Record<string, { status: string; taskId: string | null }>;
}

/**
 * Task and run changes leave the process that made them once, as JSON on a Redis channel. Every process
 * that serves live updates reads it: SSE streams, and each API instance's Socket.IO gateway, which relays
 * to its own clients' rooms. Changes made in one turn of the event loop (submissions stored by one
 * statement, attempts finished together) leave together, as one message holding a JSON array. Publishing
 * never fails the caller; subscribing opens one connection per process, on first use.
 */
@Injectable()
export class EventBus implements OnModuleDestroy {
  private readonly logger = new Logger(EventBus.name);
  private readonly channel: string;
  private subscriber?: Redis;
  private subscribed?: Promise<unknown>;
  private readonly subject = new Subject<TaskEvent>();
  private readonly runSubject = new Subject<RunEvent>();
  private readonly runChannel: string;
  /** Events made in this turn of the event loop, by channel, in the order they were made. */
  private readonly outbox = new Map<string, (TaskEvent | RunEvent)[]>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly connections: RedisConnectionFactory,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.channel = `${config.redis.prefix}:events:tasks`;
    this.runChannel = `${config.redis.prefix}:events:runs`;
  }

  /** A task changed: to every process's SSE streams and Socket.IO clients. */
  publish(event: TaskEvent): void {
    this.send(this.channel, event);
  }

  /** A workflow run changed: to every process's SSE streams and Socket.IO clients. */
  publishRun(run: RunEventSource): void {
    const event: RunEvent = {
      runId: run.id,
      workflowId: run.workflowId,
      createdBy: run.createdBy,
      status: run.status,
      steps: Object.entries(run.steps).map(([id, s]) => ({ id, status: s.status, taskId: s.taskId })),
      updatedAt: new Date().toISOString(),
    };
    this.send(this.runChannel, event);
  }

  /** Held until the end of this turn of the event loop, so events made together leave in one message. */
  private send(channel: string, event: TaskEvent | RunEvent): void {
    if (!this.outbox.size) setImmediate(() => this.flush());
    const events = this.outbox.get(channel);
    if (events) events.push(event);
    else this.outbox.set(channel, [event]);
  }

  /**
   * The publishes leave without waiting for Redis to answer: commands on one connection keep their order,
   * so a task's events arrive in the order they were made, and the caller is never held up.
   */
  private flush(): void {
    for (const [channel, events] of this.outbox) {
      const failed = (err: unknown): void =>
        this.logger.warn(`could not publish ${events.length} event(s) on ${channel}: ${(err as Error).message}`);
      try {
        this.redis.publish(channel, JSON.stringify(events)).catch(failed);
      } catch (err) {
        failed(err);
      }
    }
    this.outbox.clear();
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
      const subject = (channel === this.runChannel ? this.runSubject : this.subject) as Subject<unknown>;
      // Nobody here follows this kind of event right now: no need to read it.
      if (!subject.observed) return;
      let events: unknown;
      try {
        events = JSON.parse(message);
      } catch {
        this.logger.warn('ignored a malformed event');
        return;
      }
      // An array of events made together (a single event is what earlier versions sent).
      for (const event of Array.isArray(events) ? events : [events]) subject.next(event);
    });
  }

  onModuleDestroy(): void {
    // Before the Redis connection closes (that happens on application shutdown).
    this.flush();
    this.subject.complete();
    this.runSubject.complete();
  }
}
