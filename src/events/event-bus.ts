import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { type Observable, Subject } from 'rxjs';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { REDIS } from '../redis/redis.module';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { type TaskOutputDelta, TaskOutputStream } from './task-output-stream';

export type { TaskOutputDelta } from './task-output-stream';

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
  /** In a final event only (succeeded, failed, cancelled, expired), so a page needs no second request; the others stay small. */
  output?: unknown;
  updatedAt: string;
}

/** What clients see of a workflow run change. */
export interface RunEvent {
  runId: string;
  workflowId: string;
  createdBy: string;
  status: string;
  /** The steps the change made (a client merges them by id); every step in a stream's first event. */
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

/** A run's event as clients see it, published on a change and sent first by a run's stream. */
export function runEvent(run: RunEventSource, updatedAt: Date): RunEvent {
  return {
    runId: run.id,
    workflowId: run.workflowId,
    createdBy: run.createdBy,
    status: run.status,
    steps: Object.entries(run.steps).map(([id, s]) => ({ id, status: s.status, taskId: s.taskId })),
    updatedAt: updatedAt.toISOString(),
  };
}

/**
 * Task and run changes, and the output deltas of running attempts, leave the process that made them once, as
 * JSON on a Redis channel of their kind. Every process that serves live updates reads them: SSE streams, and
 * each API instance's Socket.IO gateway, which relays to its own clients' rooms. Changes made in one turn of
 * the event loop (submissions stored by one statement, attempts finished together) leave together, as one
 * message holding a JSON array per channel; the channels leave in the order their first event was made.
 * Publishing never fails the caller; subscribing opens one connection per process, on first use.
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
  private readonly outputSubject = new Subject<TaskOutputDelta>();
  private readonly resyncSubject = new Subject<void>();
  private readonly outputChannel: string;
  /** Events made in this turn of the event loop, by channel, in the order they were made. */
  private readonly outbox = new Map<string, (TaskEvent | RunEvent | TaskOutputDelta)[]>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly connections: RedisConnectionFactory,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.channel = `${config.redis.prefix}:events:tasks`;
    this.runChannel = `${config.redis.prefix}:events:runs`;
    this.outputChannel = `${config.redis.prefix}:events:task-output`;
  }

  /** A task changed: to every process's SSE streams and Socket.IO clients. */
  publish(event: TaskEvent): void {
    this.send(this.channel, event);
  }

  /** A workflow run changed: to every process's SSE streams and Socket.IO clients. */
  publishRun(run: RunEventSource): void {
    this.send(this.runChannel, runEvent(run, new Date()));
  }

  /**
   * Where an attempt reports its output as it is produced: coalesced into `task.output.delta` events (see
   * {@link TaskOutputStream}), published like the others and never stored. Close it before the attempt's
   * final event is published, so its last deltas come first.
   */
  outputStream(taskId: string, attempt: number): TaskOutputStream {
    return new TaskOutputStream((delta) => this.send(this.outputChannel, delta), taskId, attempt);
  }

  /** Held until the end of this turn of the event loop, so events made together leave in one message. */
  private send(channel: string, event: TaskEvent | RunEvent | TaskOutputDelta): void {
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

  /** Every output delta of a running attempt, as seen by this process. */
  outputDeltas(): Observable<TaskOutputDelta> {
    this.ensureSubscribed();
    return this.outputSubject.asObservable();
  }

  /** Every task event, as seen by this process. */
  events(): Observable<TaskEvent> {
    this.ensureSubscribed();
    return this.subject.asObservable();
  }

  /**
   * Emits each time this process's subscription comes back after it was lost (Redis restarted, or the
   * connection broke): events published meanwhile reached no one here, nor could a process publish them while
   * Redis was away. Whoever follows a resource reads its current state again then.
   */
  resyncs(): Observable<void> {
    this.ensureSubscribed();
    return this.resyncSubject.asObservable();
  }

  /** Resolves once this process receives events (its Redis subscription is confirmed). */
  async listening(): Promise<void> {
    this.ensureSubscribed();
    await this.subscribed;
  }

  private ensureSubscribed(): void {
    if (this.subscriber) return;
    this.subscriber = this.connections.create('subscriber');
    const subjects = new Map<string, Subject<unknown>>([
      [this.channel, this.subject as Subject<unknown>],
      [this.runChannel, this.runSubject as Subject<unknown>],
      [this.outputChannel, this.outputSubject as Subject<unknown>],
    ]);
    this.subscribed = this.subscriber.subscribe(...subjects.keys()).catch((err: Error) => {
      this.logger.warn(`could not subscribe to events: ${err.message}`);
    });
    // `ready` again after the first time: connected anew, and subscribed again (ioredis resubscribes).
    let connected = false;
    this.subscriber.on('ready', () => {
      if (connected) this.resyncSubject.next();
      connected = true;
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      const subject = subjects.get(channel);
      // Nobody here follows this kind of event right now: no need to read it.
      if (!subject?.observed) return;
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
    this.outputSubject.complete();
    this.resyncSubject.complete();
  }
}
