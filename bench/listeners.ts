import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { Row } from './harness';
import { launchPlatform } from './platform';
import { drainTasks } from './throughput';

const SOCKETS = Number(process.env.BENCH_J_SOCKETS ?? 2000);
const SSE = Number(process.env.BENCH_J_SSE ?? 500);
const TASKS = Number(process.env.BENCH_J_TASKS ?? 10_000);
/** Agents the tasks are spread over; each listener follows one, as a console page of that agent does. */
const AGENTS = Number(process.env.BENCH_J_AGENTS ?? 100);

interface ListenerReport {
  listeners: number;
  complete: number;
  expectedEvents: number;
  receivedEvents: number;
  outOfOrder: number;
  dropped: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/**
 * (j) Many listeners: (d) on a platform of its own, without listeners and then with BENCH_J_SOCKETS
 * Socket.IO clients and BENCH_J_SSE SSE streams (in a process of their own) following its agents.
 */
export async function listeners(): Promise<Row[]> {
  // Opening thousands of connections on a busy machine can outlast an access token's default life.
  const platform = await launchPlatform({ name: 'listeners', env: { JWT_ACCESS_TTL: '2h' } });
  const child = fork(join(__dirname, 'listener-client.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(m as Record<string, unknown>));
      child.once('exit', (code) => reject(new Error(`listener process exited (${code})`)));
    });
  try {
    await platform.worker();
    const agentIds: string[] = [];
    for (let i = 0; i < AGENTS; i += 1) {
      const agent = await platform.call<{ id: string }>('/api/v1/agents', {
        name: `listened-${i}`,
        type: 'calculator',
        concurrency: 1000,
      });
      agentIds.push(agent.id);
    }
    await drainTasks(platform, Math.min(TASKS, 2000), agentIds); // warm-up
    const without = await drainTasks(platform, TASKS, agentIds);

    const ready = next();
    const connecting = Date.now();
    child.send({
      start: { apiUrl: platform.apiUrl, token: platform.accessToken, agentIds, sockets: SOCKETS, sse: SSE },
    });
    const started = await ready;
    if (started.error) throw new Error(`listeners: ${String(started.error)}`);
    const connectS = Math.round((Date.now() - connecting) / 1000);
    const withListeners = await drainTasks(platform, TASKS, agentIds);
    const expect: Record<string, number> = {};
    for (let i = 0; i < TASKS; i += 1) expect[agentIds[i % AGENTS]] = (expect[agentIds[i % AGENTS]] ?? 0) + 1;
    const reported = next();
    child.send({ expect });
    const report = (await reported).result as ListenerReport;

    const ratio = withListeners / without;
    const everyEvent = report.complete === report.listeners && report.outOfOrder === 0 && report.dropped === 0;
    return [
      {
        scenario: `(j) ${SOCKETS} Socket.IO + ${SSE} SSE listeners during (d) (${TASKS} tasks over ${AGENTS} agents)`,
        value:
          `${Math.round(ratio * 100)} % of (d) without them (${withListeners} vs ${without} tasks/s); ` +
          `p99 ${report.latencyMs.p99} ms; ${report.complete}/${report.listeners} got every event`,
        target: '≥ 80 %, p99 ≤ 250 ms, every event to every listener',
        met: ratio >= 0.8 && report.latencyMs.p99 <= 250 && everyEvent,
        detail: { without, withListeners, connectS, ...report },
      },
    ];
  } finally {
    child.kill();
    await platform.close();
  }
}
