import type { Socket } from 'socket.io';
import type { AgentsService } from '../agents/agents.service';
import type { Authenticator } from '../auth/authenticator';
import type { LiveSessions } from '../auth/live-sessions';
import { type Permission, permissionsOf } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import type { TasksService } from '../tasks/tasks.service';
import type { WorkflowsService } from '../workflows/workflows.service';
import type { EventBus } from './event-bus';
import { BatchWindows } from './event-batches';
import { EventsGateway } from './events.gateway';
import type { LiveLimits } from './live-limits';

const AGENT = '0b9f6a52-0c47-4a36-9d43-2f1d52c1f0a1';
const TASK = '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b';
const RUN = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/** What the gateway asked of its services: a subscription that is refused must not reach them. */
const lookups: string[] = [];

function gateway(): EventsGateway {
  const note = (what: string) => async (): Promise<void> => void lookups.push(what);
  return new EventsGateway(
    {} as Authenticator,
    {} as LiveSessions,
    {} as LiveLimits,
    { get: note('task') } as unknown as TasksService,
    { getRun: note('run') } as unknown as WorkflowsService,
    { assertExists: note('agent') } as unknown as AgentsService,
    {} as EventBus,
    { events: { batchMs: 100, clientMaxPendingBytes: 1024, connectionsPerUser: 10 } } as AppConfig,
    new BatchWindows(100),
  );
}

/** A connected socket of a user holding `permissions`, recording the rooms it joins. */
function socketOf(permissions: Permission[]): { socket: Socket; joined: string[] } {
  const joined: string[] = [];
  const principal: Principal = {
    type: 'user',
    userId: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
    email: 'reader@example.test',
    role: 'viewer',
    permissions: new Set(permissions),
  };
  const socket = {
    data: { principal },
    join: async (room: string) => void joined.push(room),
    leave: async () => undefined,
  } as unknown as Socket;
  return { socket, joined };
}

describe('EventsGateway subscriptions and permissions', () => {
  beforeEach(() => lookups.splice(0));

  it.each([
    [{ agentId: AGENT, batch: true }, ['agents:read'], 'tasks:read required'],
    [{ agentId: AGENT }, ['tasks:read'], 'agents:read required'],
    [{ agentId: AGENT }, [], 'agents:read and tasks:read required'],
    [{ taskId: TASK }, ['agents:read'], 'tasks:read required'],
    [{ runId: RUN }, ['tasks:read', 'agents:read'], 'workflows:read required'],
  ] as const)('refuses %j to a caller holding %j, before any lookup or room', async (body, held, message) => {
    const { socket, joined } = socketOf([...held]);
    const reply = await gateway().subscribe(socket, body);
    expect(reply).toEqual({ ok: false, error: { code: 'FORBIDDEN', message } });
    expect(joined).toEqual([]);
    expect(lookups).toEqual([]);
  });

  it('lets a viewer follow an agent, a task and a run, each in the room of what it may see', async () => {
    const { socket, joined } = socketOf([...permissionsOf('viewer')]);
    const g = gateway();
    for (const body of [{ agentId: AGENT, batch: true }, { taskId: TASK }, { runId: RUN }])
      expect(await g.subscribe(socket, body)).toMatchObject({ ok: true });
    expect(lookups).toEqual(['agent', 'task', 'run']);
    expect(joined).toEqual([
      `agent:${AGENT}:user:c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f:batch`,
      `task:${TASK}`,
      `run:${RUN}`,
    ]);
  });
});
