import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
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
import type { Namespace, Socket } from 'socket.io';
import { Authenticator } from '../auth/authenticator';
import { isAdmin, type Principal } from '../auth/principal';
import { AppError } from '../common/errors/app.error';
import { type TaskEvent, TaskEvents } from '../tasks/task-events';
import { TasksService } from '../tasks/tasks.service';
import { WorkflowsService } from '../workflows/workflows.service';

interface SubscribeRequest {
  taskId?: unknown;
  agentId?: unknown;
  runId?: unknown;
}

type SubscribeReply = { ok: true; room: string } | { ok: false; error: { code: string; message: string } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const principalOf = (socket: Socket) => socket.data.principal as Principal;

/** The rooms a task event goes to: the task's own, and its agent's (everyone's, and its creator's). */
export function taskRooms(event: TaskEvent): string[] {
  return [`task:${event.taskId}`, `agent:${event.agentId}:all`, `agent:${event.agentId}:user:${event.createdBy}`];
}

/**
 * Socket.IO namespace `/events`: a client authenticates with its access token in `auth.token`, then
 * `subscribe`s to a task, an agent or a workflow run (rooms). Every API instance reads the task and run
 * events of all processes from Redis (see TaskEvents) and emits `task.updated` and `run.updated` to the rooms
 * of its own clients, so clients of every instance receive them; emitting never waits on a slow client.
 */
@WebSocketGateway({ namespace: '/events', cors: { origin: false } })
export class EventsGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationBootstrap, OnModuleDestroy
{
  private readonly logger = new Logger(EventsGateway.name);
  private readonly relays: Subscription[] = [];

  @WebSocketServer()
  private readonly server!: Namespace;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly tasks: TasksService,
    private readonly workflows: WorkflowsService,
    private readonly events: TaskEvents,
  ) {}

  /**
   * Subscribes to the events in Redis from the start, so a client that connects has them at once. Startup
   * does not wait for it: an API whose Redis is down still starts, and its readiness probe says so.
   */
  onApplicationBootstrap(): void {
    void this.events.listening();
  }

  /** Events are relayed while this instance has clients; with none, it does not even read them. */
  handleConnection(): void {
    if (this.relays.length > 0) return;
    this.relays.push(
      this.events.events().subscribe((event) => this.server.to(taskRooms(event)).emit('task.updated', event)),
      this.events.runEvents().subscribe((event) => this.server.to(`run:${event.runId}`).emit('run.updated', event)),
    );
  }

  handleDisconnect(): void {
    if (this.server.sockets.size === 0) this.stopRelaying();
  }

  onModuleDestroy(): void {
    this.stopRelaying();
  }

  private stopRelaying(): void {
    for (const relay of this.relays.splice(0)) relay.unsubscribe();
  }

  afterInit(server: Namespace): void {
    server.use((socket, next) => {
      this.authenticator
        .fromToken((socket.handshake.auth as { token?: unknown } | undefined)?.token)
        .then((principal) => {
          if (!principal) return next(new Error('UNAUTHENTICATED'));
          socket.data.principal = principal;
          next();
        })
        .catch(() => next(new Error('SERVICE_UNAVAILABLE')));
    });
  }

  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: SubscribeRequest): Promise<SubscribeReply> {
    const principal = principalOf(socket);
    try {
      if (typeof body?.taskId === 'string' && UUID.test(body.taskId)) {
        await this.tasks.get(principal, body.taskId);
        return this.join(socket, `task:${body.taskId}`);
      }
      if (typeof body?.agentId === 'string' && UUID.test(body.agentId)) {
        if (!principal.permissions.has('agents:read'))
          return { ok: false, error: { code: 'FORBIDDEN', message: 'agents:read required' } };
        // Non-admins see the events of their own tasks only.
        return this.join(socket, `agent:${body.agentId}:${isAdmin(principal) ? 'all' : `user:${principal.userId}`}`);
      }
      if (typeof body?.runId === 'string' && UUID.test(body.runId)) {
        await this.workflows.getRun(principal, body.runId);
        return this.join(socket, `run:${body.runId}`);
      }
      return {
        ok: false,
        error: { code: 'VALIDATION_FAILED', message: 'Send {taskId}, {agentId} or {runId} (a UUID)' },
      };
    } catch (err) {
      if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
      this.logger.warn(`subscribe failed: ${(err as Error).message}`);
      return { ok: false, error: { code: 'INTERNAL', message: 'Internal error' } };
    }
  }

  private async join(socket: Socket, room: string): Promise<SubscribeReply> {
    await socket.join(room);
    return { ok: true, room };
  }

  /** Connected clients on this instance. */
  get connections(): number {
    return this.server?.sockets.size ?? 0;
  }
}
