import { Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Subscription } from 'rxjs';
import type { ExtendedError, Namespace, Socket } from 'socket.io';
import { AgentsService } from '../agents/agents.service';
import { Authenticator } from '../auth/authenticator';
import { LIVE_CONNECTIONS_RETRY_AFTER_S } from '../auth/auth.errors';
import { LiveSessions } from '../auth/live-sessions';
import type { Principal } from '../auth/principal';
import type { Permission } from '../auth/permissions';
import { AppError } from '../common/errors/app.error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventBus, type TaskEvent } from './event-bus';
import { agoMs, BatchWindows, EventBatches } from './event-batches';
import { sendFramesTogether } from './frames-together';
import { canonicalId, isIdInAnyCase } from '../common/http/ids';
import { connectRefusal, LiveLimits } from './live-limits';
import { emitToRooms } from './room-frames';
import { agentRoom, batchedAgentRoom, batchedTaskRooms, runRoom, taskRoom, taskRooms } from './rooms';
import { SlowReader } from './slow-reader';
import { TasksService } from '../tasks/tasks.service';
import { WorkflowsService } from '../workflows/workflows.service';

interface SubscribeRequest {
  taskId?: unknown;
  agentId?: unknown;
  runId?: unknown;
  batch?: unknown;
}

type SubscribeReply = { ok: true; room: string } | { ok: false; error: { code: string; message: string } };

const KINDS = ['task', 'agent', 'run'] as const;

interface Subject {
  kind: (typeof KINDS)[number];
  id: string;
  /** An agent's events in batches (`tasks.updated`) rather than one by one. */
  batch: boolean;
}

/** The most events one `tasks.updated` carries: more within a window leave in several. */
const BATCH_MAX_EVENTS = 500;

const principalOf = (socket: Socket) => socket.data.principal as Principal;
const INVALID_SUBJECT: SubscribeReply = {
  ok: false,
  error: { code: 'VALIDATION_FAILED', message: 'Send {taskId}, {agentId} or {runId} (a UUID)' },
};
const TWO_SUBJECTS: SubscribeReply = {
  ok: false,
  error: { code: 'VALIDATION_FAILED', message: 'Send one of {taskId}, {agentId} or {runId}, not two' },
};
const INVALID_BATCH: SubscribeReply = {
  ok: false,
  error: { code: 'VALIDATION_FAILED', message: '`batch` is a boolean, and true only with {agentId}' },
};

/**
 * What a `subscribe` or `unsubscribe` body names: a task, an agent or a run (one of them: a body naming two is
 * refused rather than half followed), and whether an agent's events come in batches; or the reply refusing it.
 */
function subjectOf(body: SubscribeRequest | undefined): Subject | SubscribeReply {
  const batch = body?.batch === undefined ? false : body.batch;
  if (typeof batch !== 'boolean') return INVALID_BATCH;
  const idOf = (kind: Subject['kind']): unknown => body?.[`${kind}Id`];
  if (KINDS.filter((k) => idOf(k) !== undefined).length > 1) return TWO_SUBJECTS;
  const kind = KINDS.find((k) => isIdInAnyCase(idOf(k)));
  if (!kind) return INVALID_SUBJECT;
  return batch && kind !== 'agent' ? INVALID_BATCH : { kind, id: canonicalId(idOf(kind) as string), batch };
}

/**
 * What following a subject takes, as its SSE stream does: a task's or run's events carry its input and output,
 * and an agent's are its tasks' events.
 */
const SUBSCRIBE_PERMISSIONS: Record<(typeof KINDS)[number], readonly Permission[]> = {
  task: ['tasks:read'],
  run: ['workflows:read'],
  agent: ['agents:read', 'tasks:read'],
};

/** A subject's room for this principal: non-admins follow an agent's tasks of their own only. */
function roomOf(principal: Principal, { kind, id, batch }: Subject): string {
  if (kind !== 'agent') return `${kind}:${id}`;
  return batch ? batchedAgentRoom(principal, id) : agentRoom(principal, id);
}

/**
 * Handles a socket's `subscribe` and `unsubscribe` messages one after the other, in the order they came: a
 * subscribe still checking access must not join its room after an unsubscribe sent later has left it.
 */
function inOrder(socket: Socket, handle: () => Promise<SubscribeReply>): Promise<SubscribeReply> {
  const previous = (socket.data.roomChanges as Promise<unknown> | undefined) ?? Promise.resolve();
  const reply = previous.then(handle);
  socket.data.roomChanges = reply.catch(() => undefined);
  return reply;
}

/**
 * Socket.IO namespace `/events`: a client authenticates with its access token in `auth.token`, then
 * `subscribe`s to a task, an agent or a workflow run (rooms), and `unsubscribe`s once it no longer shows it.
 * Every API instance reads the task and run events of all processes from Redis (see EventBus) and emits
 * `task.updated` and `run.updated` to the rooms of its own clients, and `task.output.delta` (the output of a
 * running attempt as it is produced) to the task's room, so clients of every instance receive them; emitting
 * never waits on a slow client. An agent's subscribers that ask for batches get its task events gathered for
 * EVENTS_BATCH_MS, as one `tasks.updated` (an array, in order) per room and window: a packet per window
 * instead of one per event, encoded once for the room. Handshakes, connections and messages count against the
 * live budget (LiveLimits): a message over it is refused before its handler runs.
 */
@WebSocketGateway({ namespace: '/events', cors: { origin: false } })
export class EventsGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationBootstrap, OnModuleDestroy
{
  private readonly logger = new Logger(EventsGateway.name);
  private readonly relays: Subscription[] = [];
  private readonly maxPendingBytes: number;
  /** Task events waiting for the batched agent rooms, by room. */
  private readonly batches: EventBatches<string, TaskEvent>;

  @WebSocketServer()
  private readonly server!: Namespace;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly sessions: LiveSessions,
    private readonly limits: LiveLimits,
    private readonly tasks: TasksService,
    private readonly workflows: WorkflowsService,
    private readonly agents: AgentsService,
    private readonly events: EventBus,
    @Inject(APP_CONFIG) config: AppConfig,
    windows: BatchWindows,
  ) {
    this.maxPendingBytes = config.events.clientMaxPendingBytes;
    this.batches = new EventBatches(
      windows,
      (room, events) => emitToRooms(this.server, room, 'tasks.updated', events),
      BATCH_MAX_EVENTS,
      undefined,
      (room, err) => this.logger.warn(`events for ${room} not sent: ${err.message}`),
    );
  }

  /**
   * Subscribes to the events in Redis from the start, so a client that connects has them at once. Startup
   * does not wait for it: an API whose Redis is down still starts, and its readiness probe says so.
   */
  onApplicationBootstrap(): void {
    void this.events.listening();
  }

  /** Events are relayed while this instance has clients; with none, it does not even read them. */
  handleConnection(socket: Socket): void {
    const principal = principalOf(socket);
    this.limits.limitMessages(socket, principal);
    // A client whose caller is deactivated or changes role, or whose login ends, is disconnected (LiveSessions).
    const token = (socket.handshake.auth as { token: string }).token;
    const stop = this.sessions.follow(principal, { headers: { authorization: `Bearer ${token}` } }, () =>
      socket.disconnect(true),
    );
    (socket.data.releasePlace as (() => void) | undefined)?.();
    socket.once('disconnect', stop);
    this.letGoWhenSlow(socket);
    sendFramesTogether(socket.conn);
    if (this.relays.length > 0) return;
    this.relays.push(
      this.events.events().subscribe((event) => this.relayTaskEvent(event)),
      this.events
        .runEvents()
        .subscribe((event) => emitToRooms(this.server, runRoom(event.runId), 'run.updated', event)),
      // To the task's own room only: an agent's room would carry every token of all its tasks.
      this.events
        .outputDeltas()
        .subscribe((delta) => emitToRooms(this.server, taskRoom(delta.taskId), 'task.output.delta', delta)),
      // Events may have been missed (Redis was away): every client reads what it shows again.
      this.events.resyncs().subscribe(() => this.server.emit('resync', {})),
    );
  }

  private relayTaskEvent(event: TaskEvent): void {
    emitToRooms(this.server, taskRooms(event), 'task.updated', event);
    // Gathered only for rooms with a member here: no one's events wait for a room no one is in.
    const rooms = this.server.adapter.rooms;
    const age = agoMs(event.updatedAt);
    for (const room of batchedTaskRooms(event)) if (rooms.has(room)) this.batches.add(room, event, age);
  }

  /**
   * A client that reads slower than events come is disconnected by the rule of {@link SlowReader} (packets
   * wait for it while its connection has not taken the previous ones): memory stays bounded, and the others are
   * not held up. It reconnects and subscribes again, as after any disconnect.
   */
  private letGoWhenSlow(socket: Socket): void {
    let pending = 0;
    const conn = socket.conn;
    const letGoIfBehind = (): boolean => {
      if (!rule.tooFarBehind(pending)) return false;
      pending = 0;
      rule.stop();
      this.logger.warn(`disconnected a client that fell ${this.maxPendingBytes} bytes of events behind`);
      // `true`: what waits is dropped now, not sent before closing.
      conn.close(true);
      return true;
    };
    const rule = new SlowReader(this.maxPendingBytes, Date.now, letGoIfBehind);
    conn.on('flush', () => (pending = 0));
    conn.once('close', () => rule.stop());
    conn.on('packetCreate', (packet: { data?: unknown }) => {
      if (letGoIfBehind()) return;
      const { data } = packet;
      pending += typeof data === 'string' ? data.length : data instanceof Buffer ? data.byteLength : 0;
    });
  }

  handleDisconnect(): void {
    if (this.server.sockets.size === 0) this.stopRelaying();
  }

  onModuleDestroy(): void {
    this.stopRelaying();
  }

  private stopRelaying(): void {
    for (const relay of this.relays.splice(0)) relay.unsubscribe();
    this.batches.stop();
  }

  afterInit(server: Namespace): void {
    this.limits.limitHandshakes(server.server.engine);
    // Socket.IO's main namespace always exists; nothing is served there, so no one stays connected to it.
    server.server.of('/').use((_socket, next) => next(connectRefusal('NOT_FOUND', { namespace: server.name })));
    server.use((socket, next) => {
      this.admit(socket).then(next, () => next(connectRefusal('SERVICE_UNAVAILABLE')));
    });
  }

  /**
   * Authenticates a connection, checks its user's open connections, then counts it against its caller's live
   * budget: what refuses it, if anything.
   */
  private async admit(socket: Socket): Promise<ExtendedError | undefined> {
    const principal = await this.authenticator.fromToken(
      (socket.handshake.auth as { token?: unknown } | undefined)?.token,
    );
    if (!principal) return connectRefusal('UNAUTHENTICATED');
    // Refused before it counts against the live budget: the user's connections here are at their limit. Its
    // place is kept while the budget is asked, until handleConnection follows it (or it is refused or closes).
    const release = this.sessions.reserve(principal);
    if (!release)
      return connectRefusal('RATE_LIMITED', { retryAfter: LIVE_CONNECTIONS_RETRY_AFTER_S, reason: 'connections' });
    socket.conn.once('close', release);
    socket.data.principal = principal;
    socket.data.releasePlace = release;
    const refused = await this.limits.admit(principal).catch((err: unknown) => {
      release();
      throw err;
    });
    if (refused) release();
    return refused;
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: SubscribeRequest): Promise<SubscribeReply> {
    return inOrder(socket, () => this.join(socket, body));
  }

  /**
   * Leaves the room `subscribe` joined for the same body. Nothing is looked up: leaving a room one is not in
   * (or a task one may not see) changes nothing and says so with the same reply.
   */
  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: SubscribeRequest): Promise<SubscribeReply> {
    return inOrder(socket, async () => {
      const subject = subjectOf(body);
      if ('ok' in subject) return subject;
      const room = roomOf(principalOf(socket), subject);
      await socket.leave(room);
      return { ok: true, room };
    });
  }

  private async join(socket: Socket, body: SubscribeRequest): Promise<SubscribeReply> {
    const principal = principalOf(socket);
    const subject = subjectOf(body);
    if ('ok' in subject) return subject;
    const missing = SUBSCRIBE_PERMISSIONS[subject.kind].filter((p) => !principal.permissions.has(p));
    if (missing.length > 0)
      return { ok: false, error: { code: 'FORBIDDEN', message: `${missing.join(' and ')} required` } };
    try {
      if (subject.kind === 'task') await this.tasks.get(principal, subject.id);
      // As the agent's SSE stream: NOT_FOUND for an agent that does not exist.
      if (subject.kind === 'agent') await this.agents.assertExists(subject.id);
      if (subject.kind === 'run') await this.workflows.getRun(principal, subject.id);
      const room = roomOf(principal, subject);
      await socket.join(room);
      return { ok: true, room };
    } catch (err) {
      if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
      this.logger.warn(`subscribe failed: ${(err as Error).message}`);
      return { ok: false, error: { code: 'INTERNAL', message: 'Internal error' } };
    }
  }

  /** Connected clients on this instance. */
  get connections(): number {
    return this.server?.sockets.size ?? 0;
  }
}
