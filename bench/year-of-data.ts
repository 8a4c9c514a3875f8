import { compare, LIST_CONNECTIONS, load, type Load, type Row, roundRatios } from './harness';
import { launchPlatform, type Platform } from './platform';
import { moreAgents, seedTasks } from './task-seed';

/** (f) sizes: the year of tasks and the young database it is compared with. */
const TASKS = Number(process.env.BENCH_F_TASKS ?? 1_000_000);
const YOUNG_TASKS = Number(process.env.BENCH_F_YOUNG_TASKS ?? 10_000);
const AGENTS = 10;
const DAYS = 365;

interface Seeded {
  platform: Platform;
  agentIds: string[];
  /** A task in the middle of the table. */
  taskId: string;
  seconds: number;
}

async function seeded(name: string, count: number): Promise<Seeded> {
  const platform = await launchPlatform({ name });
  try {
    const agentIds = [platform.agentId, ...(await moreAgents(platform.call, AGENTS - 1))];
    const { seconds } = await seedTasks(platform.db, { count, agentIds, newestDays: 0, oldestDays: DAYS, queued: 100 });
    const [{ id }] = (
      await platform.db.query(`SELECT id FROM tasks ORDER BY created_at DESC OFFSET $1 LIMIT 1`, [
        Math.floor(count / 2),
      ])
    ).rows as { id: string }[];
    return { platform, agentIds, taskId: id, seconds };
  } catch (err) {
    await platform.close();
    throw err;
  }
}

function latencyRow(scenario: string, list: Load, extra: string, detail: Record<string, unknown>): Row {
  return {
    scenario,
    value: `${list.rps} req/s, p50 ${list.p50} ms, p99 ${list.p99} ms${extra}`,
    target: 'p99 ≤ 100 ms',
    met: list.p99 <= 100 && list.errors === 0,
    detail: { ...detail, list },
  };
}

/** The list's first page as the API gives it: its meta says how the total was counted. */
async function firstPage(big: Seeded, query: string): Promise<string> {
  const res = await fetch(`${big.platform.apiUrl}/api/v1/tasks?${query}`, {
    headers: { authorization: `Bearer ${big.platform.accessToken}` },
  });
  const body = (await res.json()) as {
    data?: unknown[];
    meta: { total: number; totalCapped?: boolean };
    error?: { code: string };
  };
  if (!res.ok || !body.data) return `HTTP ${res.status} ${body.error?.code ?? ''}`;
  return `${body.data.length} items, total ${body.meta.total}${body.meta.totalCapped ? '+ (capped)' : ' (exact)'}`;
}

/**
 * (f) A year of data: BENCH_F_TASKS tasks (1,000,000; with their attempts) seeded by SQL over 365 days and 10
 * agents on a platform of its own, and BENCH_F_YOUNG_TASKS (10,000) on another, both api processes running at
 * once. GET /tasks/:id on the year against the young one, in interleaved rounds; the filtered list (status,
 * agent, time range, tag) and the console's stats at LIST_CONNECTIONS, their p99.
 */
export async function yearOfData(): Promise<Row[]> {
  const stamp = Date.now().toString(36);
  const young = await seeded(`f-young-${stamp}`, YOUNG_TASKS);
  let big: Seeded | undefined;
  try {
    big = await seeded(`f-year-${stamp}`, TASKS);
    process.stdout.write(`(f) seeded ${TASKS} tasks in ${big.seconds.toFixed(1)} s\n`);
    const rows: Row[] = [];
    const push = (row: Row): void => {
      rows.push(row);
      process.stdout.write(`(f) ${row.met ? 'MET' : 'MISSED'} ${row.scenario}: ${row.value}\n`);
    };
    const read = compare(
      `${young.platform.apiUrl}/api/v1/tasks/${young.taskId}`,
      { token: young.platform.accessToken, pid: young.platform.api.child.pid },
      `${big.platform.apiUrl}/api/v1/tasks/${big.taskId}`,
      { token: big.platform.accessToken, pid: big.platform.api.child.pid },
    );
    push({
      scenario: `(f) GET /api/v1/tasks/:id, ${TASKS.toLocaleString('en')} tasks vs ${YOUNG_TASKS.toLocaleString('en')}`,
      value:
        `${read.platform.rps} req/s (young ${read.ceiling.rps}), p99 ${read.platform.p99} ms ` +
        `(young ${read.ceiling.p99} ms), ratio ${(read.ratio * 100).toFixed(0)} % (rounds: ${roundRatios(read)})`,
      target: '≥ 90 % of the young database',
      met: read.ratio >= 0.9 && read.rounds.every((r) => r.platform.errors === 0),
      detail: { year: read.platform, young: read.ceiling, rounds: read.rounds },
    });

    const token = big.platform.accessToken;
    const pid = big.platform.api.child.pid;
    const day = 86_400_000;
    const range =
      `createdAfter=${new Date(Date.now() - 200 * day).toISOString()}` +
      `&createdBefore=${new Date(Date.now() - 100 * day).toISOString()}`;
    const lists: [string, string][] = [
      ['status, agent, time range and tag', `status=succeeded&agentId=${big.agentIds[3]}&${range}&tag=tag-7&limit=50`],
      ['status', 'status=succeeded&limit=50'],
      ['agent and time range', `agentId=${big.agentIds[5]}&${range}&limit=50`],
      ['failed, by error code', 'status=failed&errorCode=DIVISION_BY_ZERO&limit=50'],
    ];
    for (const [label, query] of lists) {
      const page = await firstPage(big, query);
      const url = `${big.platform.apiUrl}/api/v1/tasks?${query}`;
      const list = load(url, { token, pid, connections: LIST_CONNECTIONS });
      push(
        latencyRow(
          `(f) GET /api/v1/tasks filtered by ${label}, ${TASKS.toLocaleString('en')} tasks, ${LIST_CONNECTIONS} connections`,
          list,
          `; first page: ${page}`,
          { query, page },
        ),
      );
    }

    const stats = load(`${big.platform.apiUrl}/api/v1/stats`, { token, pid, connections: LIST_CONNECTIONS });
    push(
      latencyRow(
        `(f) GET /api/v1/stats (the console's dashboard), ${TASKS.toLocaleString('en')} tasks, ${LIST_CONNECTIONS} connections`,
        stats,
        '',
        {},
      ),
    );
    return rows;
  } finally {
    await big?.platform.close();
    await young.platform.close();
  }
}
