import { fork } from 'node:child_process';
import { join } from 'node:path';
import { backendCpuSeconds, cpuSeconds, machineCpuSeconds, PROFILE, ROOT, type Row, spentBy } from './harness';
import { launchPlatform, type Platform } from './platform';
import { drainTasks } from './throughput';

const SOCKETS = Number(process.env.BENCH_J_SOCKETS ?? 2000);
const SSE = Number(process.env.BENCH_J_SSE ?? 500);
const TASKS = Number(process.env.BENCH_J_TASKS ?? 10_000);
/** Agents the tasks are spread over; each listener follows one, as a console page of that agent does. */
const AGENTS = Number(process.env.BENCH_J_AGENTS ?? 100);
/**
 * Rounds of (d) without and with listeners, the order swapped every other round; the ratio reported is the
 * median round's (as (a) and (b) do): this machine's speed drifts by tens of percent within minutes.
 */
const ROUNDS = Number(process.env.BENCH_J_ROUNDS ?? 3);

interface ListenerReport {
  listeners: number;
  complete: number;
  expectedEvents: number;
  receivedEvents: number;
  outOfOrder: number;
  dropped: number;
  /** The Socket.IO listeners' packets: their events came in this many `tasks.updated` arrays. */
  socketPackets: number;
  /** The SSE listeners' reads: chunks of their responses (a window's frames, or part of one). */
  sseChunks: number;
  latencyMs: Latency;
  /** By the event's status (queued, running, succeeded): p50 and p99. */
  latencyByStatusMs: Record<string, Omit<Latency, 'max'>>;
  /** Over every round so far. */
  allRoundsLatencyMs: Latency;
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
}

interface Round {
  without: number;
  withListeners: number;
  ratio: number;
  connectS: number;
  report: ListenerReport;
  cpuWithout: CpuSplit;
  cpuWith: CpuSplit;
}

type CpuSplit = Record<'api' | 'worker' | 'listeners' | 'postgres' | 'redis' | 'machine', number>;

/**
 * `work`'s result, and the CPU seconds each stage spent while it ran: the platform's processes, the listeners'
 * process, the Postgres backends of the platform's database, the Redis server (shared with whatever else runs,
 * an upper bound) and the whole machine (other work included).
 */
async function withCpu<T>(
  platform: Platform,
  pids: { api: number; worker: number; listeners: number },
  work: () => Promise<T>,
): Promise<{ result: T; cpu: CpuSplit }> {
  const own = (): number[] => [pids.api, pids.worker, pids.listeners].map(cpuSeconds);
  const [before, pgBefore, machineBefore] = [own(), await backendCpuSeconds(platform.db), machineCpuSeconds()];
  const result = await work();
  const [after, pgAfter, machineAfter] = [own(), await backendCpuSeconds(platform.db), machineCpuSeconds()];
  let postgres = 0;
  // A backend that started in between counts from zero; one that ended in between is left out.
  for (const [pid, seconds] of pgAfter) postgres += seconds - (pgBefore.get(pid) ?? 0);
  const round = (seconds: number): number => Math.round(seconds * 100) / 100;
  const cpu: CpuSplit = {
    api: round(after[0] - before[0]),
    worker: round(after[1] - before[1]),
    listeners: round(after[2] - before[2]),
    postgres: round(postgres),
    redis: round(spentBy('redis-server', machineBefore, machineAfter)),
    machine: round(machineAfter.total - machineBefore.total),
  };
  return { result, cpu };
}

/**
 * (j) Many listeners: (d) on a platform of its own, without listeners and with BENCH_J_SOCKETS Socket.IO
 * clients and BENCH_J_SSE SSE streams (in a process of their own, new ones each round) following its agents.
 */
export async function listeners(): Promise<Row[]> {
  // Opening thousands of connections on a busy machine can outlast an access token's default life.
  const platform = await launchPlatform({ name: 'listeners', env: { JWT_ACCESS_TTL: '2h' } });
  const child = fork(join(__dirname, 'listener-client.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // With BENCH_PROFILE=1, the listeners' profile too (written as it exits on SIGTERM).
    execArgv: PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/profiles')}`] : [],
  });
  const ask = (message: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const exited = (code: number | null): void => reject(new Error(`listener process exited (${code})`));
      child.once('exit', exited);
      child.once('message', (m) => {
        child.off('exit', exited);
        resolve(m as Record<string, unknown>);
      });
      child.send(message as object);
    });
  try {
    const pids = { api: platform.api.child.pid!, worker: (await platform.worker()).child.pid!, listeners: child.pid! };
    const agentIds: string[] = [];
    for (let i = 0; i < AGENTS; i += 1) {
      const agent = await platform.call<{ id: string }>('/api/v1/agents', {
        name: `listened-${i}`,
        type: 'calculator',
        concurrency: 1000,
      });
      agentIds.push(agent.id);
    }
    const expect: Record<string, number> = {};
    for (let i = 0; i < TASKS; i += 1) expect[agentIds[i % AGENTS]] = (expect[agentIds[i % AGENTS]] ?? 0) + 1;
    await drainTasks(platform, Math.min(TASKS, 2000), agentIds); // warm-up

    const alone = (): Promise<{ result: number; cpu: CpuSplit }> =>
      withCpu(platform, pids, () => drainTasks(platform, TASKS, agentIds));
    const listened = async (): Promise<Omit<Round, 'without' | 'ratio' | 'cpuWithout'>> => {
      const connecting = Date.now();
      const started = await ask({
        start: { apiUrl: platform.apiUrl, token: platform.accessToken, agentIds, sockets: SOCKETS, sse: SSE },
      });
      if (started.error) throw new Error(`listeners: ${String(started.error)}`);
      const connectS = Math.round((Date.now() - connecting) / 1000);
      const { result: withListeners, cpu: cpuWith } = await withCpu(platform, pids, () =>
        drainTasks(platform, TASKS, agentIds),
      );
      const report = (await ask({ expect })).result as ListenerReport;
      // The closed listeners' disconnects are handled before the next measurement starts.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return { withListeners, connectS, report, cpuWith };
    };

    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      const first = i % 2 === 0 ? await alone() : undefined;
      const heard = await listened();
      const { result: without, cpu: cpuWithout } = first ?? (await alone());
      rounds.push({ ...heard, without, cpuWithout, ratio: heard.withListeners / without });
    }
    const median = [...rounds].sort((x, y) => x.ratio - y.ratio)[Math.floor((rounds.length - 1) / 2)];
    const latency = rounds[rounds.length - 1].report.allRoundsLatencyMs;
    const everyEvent = rounds.every(
      ({ report }) => report.complete === report.listeners && report.outOfOrder === 0 && report.dropped === 0,
    );
    const complete = rounds.reduce((sum, { report }) => sum + report.complete, 0);
    const outOfOrder = rounds.reduce((sum, { report }) => sum + report.outOfOrder, 0);
    return [
      {
        scenario: `(j) ${SOCKETS} Socket.IO + ${SSE} SSE listeners during (d) (${TASKS} tasks over ${AGENTS} agents)`,
        value:
          `${Math.round(median.ratio * 100)} % of (d) without them (${median.withListeners} vs ${median.without} ` +
          `tasks/s; rounds ${rounds.map((r) => Math.round(r.ratio * 100)).join(' / ')} %); p99 ${latency.p99} ms; ` +
          `${complete}/${(SOCKETS + SSE) * ROUNDS} listeners (${ROUNDS} rounds) got every event, ` +
          `${outOfOrder} out of order`,
        target: '≥ 80 %, p99 ≤ 250 ms, every event to every listener, in order',
        met: median.ratio >= 0.8 && latency.p99 <= 250 && everyEvent,
        detail: { median, latencyMs: latency, rounds },
      },
    ];
  } finally {
    child.kill();
    await platform.close();
  }
}
