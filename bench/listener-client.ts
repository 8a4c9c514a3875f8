/**
 * The listeners of (j), in a process of their own so they do not take the orchestrator's event loop: Socket.IO
 * clients and SSE streams, each following one agent's tasks as a console page of that agent does. Driven over
 * IPC: `{start}` connects and subscribes them all, then replies `{ready}`; `{expect: {agentId: tasks}}` waits
 * until every client has each task's three events (queued, running, succeeded) or 60 s pass, closes them and
 * replies with the counts and the latency percentiles (task state written, `updatedAt` → received here), the
 * round's and every round's so far; the next `{start}` opens a round of new listeners. The Socket.IO
 * clients speak the protocol themselves (bench/socket-io-wire.ts): this process shares the machine's cores with
 * the platform, and socket.io-client would spend more CPU per event than the server does. They subscribe in
 * batches, as the console does: an agent's events come as `tasks.updated` arrays, one packet per window.
 *
 * While (d) runs, a listener only notes what arrived and when: the bytes of each packet or chunk and the time
 * they were read. The events are parsed and checked (count, order, latency from `updatedAt` to that time) when
 * the report is asked for. Parsing 750,000 events is the consoles' work, done on their users' machines in a
 * deployment; here it would take the cores of the platform being measured, so it waits until (d) is over.
 */
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { rawRequest } from './raw-connection';
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
/** The size of each of the arena's buffers. */
const ARENA_CHUNK = 16 * 1024 * 1024;

/**
 * Where the listeners keep what they read until it is parsed: large buffers filled one after the other, and
 * filled again the next round. A read costs a copy, where keeping each read's own buffer would cost an
 * allocation, and memory the process would touch for the first time (page faults) in every round.
 */
class Arena {
  private readonly chunks: Buffer[];
  private chunk = 0;
  private used = 0;

  /** With `chunks` buffers made and touched at once, so that no round pays for their first use. */
  constructor(chunks: number) {
    // Filled, not only allocated: a zeroed allocation of this size maps pages that are touched only when written.
    this.chunks = Array.from({ length: chunks }, () => Buffer.allocUnsafe(ARENA_CHUNK).fill(0));
  }

  /** A copy of `bytes`, kept until {@link reuse}. */
  keep(bytes: Buffer): Buffer {
    if (bytes.length > ARENA_CHUNK) return Buffer.from(bytes);
    if (this.used + bytes.length > ARENA_CHUNK) [this.chunk, this.used] = [this.chunk + 1, 0];
    const target = (this.chunks[this.chunk] ??= Buffer.allocUnsafe(ARENA_CHUNK));
    bytes.copy(target, this.used);
    this.used += bytes.length;
    return target.subarray(this.used - bytes.length, this.used);
  }

  /** What was kept is no longer needed: the buffers are filled again from the first. */
  reuse(): void {
    [this.chunk, this.used] = [0, 0];
  }
}

/** Enough for a round of the default (j): 750,000 events of about 300 bytes. */
const arena = new Arena(16);
const EVENTS_PER_TASK = 3;

/**
 * One listener: what it has read and when (`arrived`), and the events of its agent parsed from it so far,
 * checked for order.
 */
class Listener {
  received = 0;
  outOfOrder = 0;
  /**
   * Socket.IO: each event packet's JSON; SSE: the stream's bytes as read (its chunked body, whose chunks each
   * hold whole events, so the chunks' framing is found only between them), events split across reads.
   */
  readonly arrived: { bytes: Buffer; at: number }[] = [];
  private sseText = '';
  /** An SSE chunk may end inside a character. */
  private readonly sseDecoder = new StringDecoder('utf8');
  private readonly last = new Map<string, number>();
  constructor(
    readonly agentId: string,
    private readonly sse: boolean,
  ) {}

  /** Parses and checks what arrived since the last call. */
  settle(): void {
    for (const { bytes, at } of this.arrived.splice(0)) {
      if (!this.sse) {
        const [name, events] = JSON.parse(bytes.toString('utf8')) as [string, TaskUpdate[]];
        if (name !== 'tasks.updated') continue;
        socketPackets += 1;
        for (const event of events) this.take(event, at);
        continue;
      }
      sseChunks += 1;
      this.sseText += this.sseDecoder.write(bytes);
      let end: number;
      while ((end = this.sseText.indexOf('\n\n')) >= 0) {
        const block = this.sseText.slice(0, end);
        this.sseText = this.sseText.slice(end + 2);
        const data = block.indexOf('data: ');
        if (data >= 0) this.take(JSON.parse(block.slice(data + 6)) as TaskUpdate, at);
      }
    }
  }

  private take(event: TaskUpdate, at: number): void {
    const latency = at - Date.parse(event.updatedAt);
    latencies.push(latency);
    (byStatus[event.status] ??= []).push(latency);
    this.received += 1;
    const rank = RANK[event.status] ?? -1;
    if (rank <= (this.last.get(event.taskId) ?? -1)) this.outOfOrder += 1;
    this.last.set(event.taskId, rank);
  }
}

/** This round's latencies, and every round's so far (the percentiles over all rounds). */
let latencies: number[] = [];
/** This round's latencies by the event's status: where the slowest come from. */
let byStatus: Record<string, number[]> = {};
const allLatencies: number[] = [];
let listeners: Listener[] = [];
let sockets: Socket[] = [];
let dropped = 0;
/** `tasks.updated` packets the Socket.IO listeners received (each an array of events). */
let socketPackets = 0;
/** Reads of the SSE listeners (each a window's chunk, or part of one, or several). */
let sseChunks = 0;
/** A round ends with its report: its listeners close, and the next round opens new ones. */
let closing = false;

async function openSocket(apiUrl: string, token: string, listener: Listener): Promise<void> {
  const socket = await follow(apiUrl, token, listener.agentId, {
    onEvent: (bytes) => listener.arrived.push({ bytes: arena.keep(bytes), at: Date.now() }),
    onClose: () => (dropped += closing ? 0 : 1),
  });
  sockets.push(socket);
}

async function openSse(apiUrl: string, token: string, listener: Listener): Promise<void> {
  const { socket, head } = rawRequest(
    new URL(apiUrl),
    `GET /api/v1/agents/${listener.agentId}/events HTTP/1.1\r\nAuthorization: Bearer ${token}\r\n` +
      'Accept: text/event-stream\r\n\r\n',
    (bytes) => listener.arrived.push({ bytes: arena.keep(bytes), at: Date.now() }),
    () => (dropped += closing ? 0 : 1),
  );
  sockets.push(socket);
  const response = await head;
  if (!/^HTTP\/1\.1 200 /.test(response)) throw new Error(`SSE: ${response.split('\r\n')[0]}`);
}

/** Opens them 100 at a time, as many consoles coming and going do, not all in the same millisecond. */
async function open({ apiUrl, token, agentIds, sockets: nSockets, sse }: Start['start']): Promise<void> {
  const jobs: (() => Promise<void>)[] = [];
  for (let i = 0; i < nSockets + sse; i += 1) {
    const listener = new Listener(agentIds[i % agentIds.length], i >= nSockets);
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
  // Parsed a few milliseconds at a time, so that bytes still coming in are timed when they arrive, not after.
  const settled = async (): Promise<boolean> => {
    let slice = Date.now();
    for (const l of listeners) {
      l.settle();
      if (Date.now() - slice < 5) continue;
      await new Promise((resolve) => setImmediate(resolve));
      slice = Date.now();
    }
    return listeners.every((l) => l.received >= want(l));
  };
  while (!(await settled()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const sorted = latencies.slice().sort((a, b) => a - b);
  for (const latency of latencies) allLatencies.push(latency);
  const sortedAll = allLatencies.slice().sort((a, b) => a - b);
  const expectedEvents = listeners.reduce((sum, l) => sum + want(l), 0);
  return {
    listeners: listeners.length,
    complete: listeners.filter((l) => l.received === want(l)).length,
    expectedEvents,
    receivedEvents: listeners.reduce((sum, l) => sum + l.received, 0),
    outOfOrder: listeners.reduce((sum, l) => sum + l.outOfOrder, 0),
    dropped,
    socketPackets,
    sseChunks,
    latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN },
    latencyByStatusMs: Object.fromEntries(
      Object.entries(byStatus).map(([status, values]) => {
        const ordered = values.sort((a, b) => a - b);
        return [status, { p50: percentile(ordered, 50), p99: percentile(ordered, 99) }];
      }),
    ),
    allRoundsLatencyMs: {
      p50: percentile(sortedAll, 50),
      p99: percentile(sortedAll, 99),
      max: sortedAll[sortedAll.length - 1] ?? NaN,
    },
  };
}

/** Closes this round's listeners and forgets them: the next `start` opens a new round. */
function close(): void {
  closing = true;
  for (const socket of sockets) socket.destroy();
  arena.reuse();
  [listeners, sockets, latencies] = [[], [], []];
  byStatus = {};
  dropped = 0;
  socketPackets = 0;
  sseChunks = 0;
}

process.on('message', (message: Start | Expect) => {
  const reply = (value: unknown): void => void process.send!(value);
  if ('start' in message) {
    closing = false;
    open(message.start).then(
      () => reply({ ready: true }),
      (err: Error) => reply({ error: err.message }),
    );
  } else
    void report(message.expect).then((result) => {
      close();
      reply({ result });
    });
});

// Exits on SIGTERM rather than being killed, so that a CPU profile (--cpu-prof) is written.
process.on('SIGTERM', () => process.exit(0));
