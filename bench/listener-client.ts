/**
 * The listeners of (j), in a process of their own so they do not take the orchestrator's event loop: Socket.IO
 * clients and SSE streams, each following one agent's tasks as a console page of that agent does. Driven over
 * IPC: `{start}` connects and subscribes them all, then replies `{ready}`; `{expect: {agentId: tasks}}` waits
 * until every client has each task's three events (queued, running, succeeded) or 60 s pass, then replies
 * with the counts and the latency percentiles (task state written, `updatedAt` → received here). The Socket.IO
 * clients speak the protocol themselves (bench/socket-io-wire.ts): this process shares the machine's cores with
 * the platform, and socket.io-client would spend more CPU per event than the server does. They subscribe in
 * batches, as the console does: an agent's events come as `tasks.updated` arrays, one packet per window.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { follow } from './socket-io-wire';

interface Start {
  start: { apiUrl: string; token: string; agentIds: string[]; sockets: number; sse: number };
}
interface Expect {
  expect: Record<string, number>;
}
interface TaskUpdate {
  taskId: string;
  status: string;
  updatedAt: string;
}

const RANK: Record<string, number> = { queued: 0, running: 1, succeeded: 2 };
const EVENTS_PER_TASK = 3;

/** One listener: the events of its agent it has received, checked for order as they come. */
class Listener {
  received = 0;
  outOfOrder = 0;
  private readonly last = new Map<string, number>();
  constructor(readonly agentId: string) {}

  take(event: TaskUpdate, at: number): void {
    latencies.push(at - Date.parse(event.updatedAt));
    this.received += 1;
    const rank = RANK[event.status] ?? -1;
    if (rank <= (this.last.get(event.taskId) ?? -1)) this.outOfOrder += 1;
    this.last.set(event.taskId, rank);
  }
}

const latencies: number[] = [];
const listeners: Listener[] = [];
const sockets: Socket[] = [];
const requests: http.ClientRequest[] = [];
let dropped = 0;
/** `tasks.updated` packets the Socket.IO listeners received (each an array of events). */
let socketPackets = 0;

async function openSocket(apiUrl: string, token: string, listener: Listener): Promise<void> {
  const socket = await follow(apiUrl, token, listener.agentId, {
    onEvent: (name, data) => {
      const at = Date.now();
      if (name !== 'tasks.updated') return;
      socketPackets += 1;
      for (const event of data as TaskUpdate[]) listener.take(event, at);
    },
    onClose: () => (dropped += 1),
  });
  sockets.push(socket);
}

function openSse(apiUrl: string, token: string, listener: Listener): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${apiUrl}/api/v1/agents/${listener.agentId}/events`,
      { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`SSE: ${res.statusCode}`));
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = Date.now();
          text += chunk;
          let end: number;
          while ((end = text.indexOf('\n\n')) >= 0) {
            const block = text.slice(0, end);
            text = text.slice(end + 2);
            const data = block.indexOf('data: ');
            if (data >= 0) listener.take(JSON.parse(block.slice(data + 6)) as TaskUpdate, at);
          }
        });
        res.on('close', () => (dropped += 1));
        resolve();
      },
    );
    requests.push(req);
    req.on('error', reject);
  });
}

/** Opens them 100 at a time, as many consoles coming and going do, not all in the same millisecond. */
async function open({ apiUrl, token, agentIds, sockets: nSockets, sse }: Start['start']): Promise<void> {
  const jobs: (() => Promise<void>)[] = [];
  for (let i = 0; i < nSockets + sse; i += 1) {
    const listener = new Listener(agentIds[i % agentIds.length]);
    listeners.push(listener);
    jobs.push(() => (i < nSockets ? openSocket : openSse)(apiUrl, token, listener));
  }
  for (let i = 0; i < jobs.length; i += 100) await Promise.all(jobs.slice(i, i + 100).map((job) => job()));
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

async function report(expected: Record<string, number>): Promise<unknown> {
  const want = (l: Listener): number => (expected[l.agentId] ?? 0) * EVENTS_PER_TASK;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && listeners.some((l) => l.received < want(l)))
    await new Promise((resolve) => setTimeout(resolve, 100));
  const sorted = latencies.slice().sort((a, b) => a - b);
  const expectedEvents = listeners.reduce((sum, l) => sum + want(l), 0);
  return {
    listeners: listeners.length,
    complete: listeners.filter((l) => l.received === want(l)).length,
    expectedEvents,
    receivedEvents: listeners.reduce((sum, l) => sum + l.received, 0),
    outOfOrder: listeners.reduce((sum, l) => sum + l.outOfOrder, 0),
    dropped,
    socketPackets,
    latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN },
  };
}

process.on('message', (message: Start | Expect) => {
  const reply = (value: unknown): void => void process.send!(value);
  if ('start' in message)
    open(message.start).then(
      () => reply({ ready: true }),
      (err: Error) => reply({ error: err.message }),
    );
  else
    void report(message.expect).then((result) => {
      reply({ result });
      for (const socket of sockets) socket.destroy();
      for (const req of requests) req.destroy();
    });
});

// Exits on SIGTERM rather than being killed, so that a CPU profile (--cpu-prof) is written.
process.on('SIGTERM', () => process.exit(0));
