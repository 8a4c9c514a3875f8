import { Controller, Get, Inject, Logger, type OnModuleDestroy, Res } from '@nestjs/common';
import { IdParam } from '../common/http/ids';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AgentsService } from '../agents/agents.service';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import { LiveSessions } from '../auth/live-sessions';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { ApiErrors } from '../common/swagger/api-envelope';
import { ApiEventStream } from '../common/swagger/api-event-stream';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { BatchWindows } from './event-batches';
import { agentRoom } from './rooms';
import { SseResponse } from './sse-response';
import { SseRooms } from './sse-rooms';
import { sseFrame, TaskEventFanout } from './task-event-fanout';

/** Sent when events may have been missed (see EventBus.resyncs): read what the stream covers again. */
const RESYNC_FRAME = sseFrame('resync', {});

/**
 * Server-Sent Events of an agent's tasks: what a console page of the agent follows, as the agent room on Socket.IO.
 * A busy agent's events are written at most once per EVENTS_BATCH_MS, a room's together (each still an event of
 * its own), in one chunk made once for the room's streams: a write per stream and window instead of one per event.
 */
@ApiTags('agents')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@Controller('agents')
export class AgentEventsController implements OnModuleDestroy {
  private readonly logger = new Logger(AgentEventsController.name);
  private readonly rooms: SseRooms;

  constructor(
    private readonly agents: AgentsService,
    private readonly fanout: TaskEventFanout,
    private readonly sessions: LiveSessions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    windows: BatchWindows,
  ) {
    this.rooms = new SseRooms(
      windows,
      (room, onFrame) => fanout.listen(room, onFrame),
      // Events may have been missed (Redis was away): every client reads what it shows again.
      (onFrame) => {
        const resynced = fanout.resyncs().subscribe(() => onFrame(RESYNC_FRAME));
        return () => resynced.unsubscribe();
      },
      (room, err) => this.logger.warn(`could not write to an SSE stream of ${room}: ${err.message}`),
    );
  }

  /** The agent streams open on this process. */
  get streams(): number {
    return this.rooms.size;
  }

  onModuleDestroy(): void {
    this.rooms.stop();
  }

  @Get(':id/events')
  // Its events are the agent's tasks', input and output included.
  @RequirePermissions('agents:read', 'tasks:read')
  @ApiOperation({
    operationId: 'streamAgentTaskEvents',
    summary:
      "Server-Sent Events (`event: task`) of an agent's tasks (an admin's: all of them; anyone else's: their own), " +
      'from the moment it opens; it stays open until the client closes it, reads too slowly or loses access (deactivated, role changed, key revoked, its login ended)',
  })
  @ApiEventStream(
    'text/event-stream of `task` events, as on `GET /tasks/:id/events`; a comment line first, and `resync` when events may have been missed',
  )
  @ApiErrors(ErrorCode.NOT_FOUND)
  async stream(@CurrentPrincipal() principal: Principal, @IdParam() id: string, @Res() res: Response): Promise<void> {
    // Counted as the user's from here: streams opened together cannot all pass the check while these await.
    const release = this.sessions.reserveOrRefuse(principal);
    try {
      await this.agents.assertExists(id);
      await this.fanout.listening();
      // Gone while its access was checked: nothing to listen for.
      if (res.destroyed || res.req.socket.destroyed) return;
      // Express answers HEAD with this GET handler: the headers, and no stream to hold open.
      if (res.req.method === 'HEAD') return new SseResponse(res, 0, () => undefined).answerHead();
      const stream = new SseResponse(res, this.config.events.clientMaxPendingBytes, (reason) => {
        leave();
        unfollow();
        if (reason === 'slow') this.logger.warn(`closed a slow SSE stream of agent ${id}`);
      });
      // Listening before the headers go: an event published once the client sees the stream reaches it.
      const leave = this.rooms.join(agentRoom(principal, id), stream);
      // Ends once its caller is deactivated or changes role, its API key is revoked or its login ends (LiveSessions).
      const unfollow = this.sessions.follow(principal, res.req, () => stream.end());
      stream.open();
    } finally {
      release();
    }
  }
}
