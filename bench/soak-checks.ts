import Redis from 'ioredis';
import { data } from './soak-client';
import type { Planned } from './soak-plan';
import type { SoakRun } from './soak-workload';

/** The exact JSON of a value with its keys sorted, to compare outputs. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

interface TaskRow {
  id: string;
  key: string | null;
  status: string;
  attempts: number;
  started_at: Date | null;
  updated_at: Date;
}

interface TaskView {
  status: string;
  output: unknown;
  error: unknown;
  attempts: number;
}

/** What the checks found, besides the violations. */
export interface Outcome {
  /** The tasks the API accepted. */
  submitted: number;
  statuses: Record<string, number>;
  lost: number;
  wrong: number;
  duplicates: number;
  auditValid: boolean | undefined;
  auditChecked: number;
}

export interface CheckContext extends SoakRun {
  /** The run's Redis prefix. */
  prefix: string;
  /** Where each broken promise goes, with its evidence. */
  violations: string[];
}

/**
 * The checks once every task is final: every task accepted, created once and succeeded exactly once with
 * the right output; nothing lost (with what Postgres and Redis say about each task that is); no response
 * the client must never see; an audit chain that verifies, with one creation entry per task.
 */
export class SoakChecks {
  private readonly submitted: Planned[];
  private readonly violations: string[];
  private dbTasks: TaskRow[] = [];
  private readonly views = new Map<string, TaskView>();
  private readonly attemptsOf = new Map<string, { attempt: number; status: string; workerId: string }[]>();

  constructor(private readonly c: CheckContext) {
    this.submitted = c.planned.filter((t) => t.id);
    this.violations = c.violations;
  }

  async run(): Promise<Outcome> {
    for (const t of this.c.planned.filter((p) => !p.id))
      this.violations.push(`task ${t.key} was never accepted by the API (${t.unsubmitted})`);
    await this.checkRows();
    await this.readTasks();
    const { statuses, lostTasks, wrong, duplicates } = await this.checkOutputs();
    await this.explainLost(lostTasks);
    this.checkResponses();
    const audit = await this.checkAudit();
    return { submitted: this.submitted.length, statuses, lost: lostTasks.length, wrong, duplicates, ...audit };
  }

  /** No task the client did not ask for: one row per Idempotency-Key, and the id the client was given. */
  private async checkRows(): Promise<void> {
    const { rows } = await this.c.pg.query<TaskRow>(
      `SELECT id, idempotency_key AS key, status, attempts, started_at, updated_at FROM tasks`,
    );
    this.dbTasks = rows;
    const byKey = new Map(this.c.planned.map((t) => [t.key, t]));
    if (rows.length !== this.submitted.length)
      this.violations.push(`Postgres holds ${rows.length} tasks for ${this.submitted.length} accepted submissions`);
    for (const row of rows) {
      const mine = row.key ? byKey.get(row.key) : undefined;
      if (!mine) this.violations.push(`task ${row.id} (key ${row.key}) was created but never submitted as such`);
      else if (mine.id !== row.id)
        this.violations.push(`key ${row.key}: the client got ${mine.id}, Postgres has ${row.id}`);
    }
  }

  /** Each task as the API shows it, and its attempts. */
  private async readTasks(): Promise<void> {
    const { client, operator } = this.c;
    let cursor = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (cursor < this.submitted.length) {
          const task = this.submitted[cursor++];
          const view = await client.callWithRetry(`read ${task.id}`, 'GET', `/api/v1/tasks/${task.id}`, operator.token);
          if (view) this.views.set(task.id!, data(view));
          const attempts = await client.callWithRetry(
            `attempts ${task.id}`,
            'GET',
            `/api/v1/tasks/${task.id}/attempts`,
            operator.token,
          );
          if (attempts) this.attemptsOf.set(task.id!, data(attempts));
        }
      }),
    );
  }

  /** Each succeeded task's output against the expected one, and its succeeded attempts: exactly one. */
  private async checkOutputs(): Promise<{
    statuses: Record<string, number>;
    lostTasks: Planned[];
    wrong: number;
    duplicates: number;
  }> {
    const statuses: Record<string, number> = {};
    const lostTasks: Planned[] = [];
    let wrong = 0;
    let duplicates = 0;
    for (const task of this.submitted) {
      const view = this.views.get(task.id!);
      if (!view) continue;
      statuses[view.status] = (statuses[view.status] ?? 0) + 1;
      if (view.status !== 'succeeded') {
        lostTasks.push(task);
        continue;
      }
      if (canonical(view.output) !== canonical(task.expected)) {
        wrong += 1;
        this.violations.push(
          `wrong output: task ${task.id} ${JSON.stringify(task.input)} → ${JSON.stringify(view.output)}, expected ${JSON.stringify(task.expected)}`,
        );
      }
      const successes = (this.attemptsOf.get(task.id!) ?? []).filter((a) => a.status === 'succeeded').length;
      if (successes !== 1) {
        duplicates += successes > 1 ? 1 : 0;
        this.violations.push(
          `task ${task.id}: ${successes} succeeded attempts on the attempts endpoint ${JSON.stringify(this.attemptsOf.get(task.id!))}`,
        );
      }
    }
    const { rows: twice } = await this.c.pg.query<{ task_id: string; n: number }>(
      `SELECT task_id, count(*)::int AS n FROM task_attempts WHERE status = 'succeeded' GROUP BY task_id HAVING count(*) > 1`,
    );
    for (const row of twice) this.violations.push(`task ${row.task_id}: ${row.n} succeeded rows in task_attempts`);
    duplicates = Math.max(duplicates, twice.length);
    return { statuses, lostTasks, wrong, duplicates };
  }

  /** Lost tasks, with what Postgres and Redis say about each. */
  private async explainLost(lostTasks: Planned[]): Promise<void> {
    const lost = lostTasks.length;
    if (!lost) return;
    const { chaos, options } = this.c;
    const killedPids = new Map(chaos.kills.filter((k) => k.what === 'worker').map((k) => [String(k.pid), k]));
    const probe = new Redis(this.c.processes.redisUrl(), { maxRetriesPerRequest: 1 });
    probe.on('error', () => undefined);
    const byStatus: Record<string, string[]> = {};
    for (const task of lostTasks) (byStatus[this.views.get(task.id!)!.status] ??= []).push(task.id!);
    this.violations.push(
      `${lost} task(s) not succeeded within ${options.drainTimeoutMs / 1000} s of the end: ` +
        Object.entries(byStatus)
          .map(([s, ids]) => `${ids.length} ${s}`)
          .join(', '),
    );
    const intoChaos = (at: Date): string => `${((at.getTime() - chaos.start) / 1000).toFixed(1)} s`;
    for (const task of lostTasks.slice(0, 25)) {
      const view = this.views.get(task.id!)!;
      const row = this.dbTasks.find((r) => r.id === task.id);
      const attempts = this.attemptsOf.get(task.id!) ?? [];
      const last = attempts.at(-1);
      const killed = last ? killedPids.get(last.workerId.split(':').pop() ?? '') : undefined;
      const jobKey = `${this.c.prefix}:bull:tasks:${task.id}`;
      const inRedis = await probe.exists(jobKey).catch(() => -1);
      this.violations.push(
        `  ${task.id} (${task.slow ? 'slow' : 'calculator'}): ${view.status}, attempt ${view.attempts}, ` +
          `started ${row?.started_at ? intoChaos(row.started_at) : '-'}, ` +
          `last change ${row ? intoChaos(row.updated_at) : '-'} into the chaos; ` +
          `last attempt ${last ? `${last.status} on ${last.workerId}` : 'none'}` +
          `${killed ? ` (SIGKILLed at ${(killed.atMs / 1000).toFixed(1)} s)` : ''}; ` +
          `job in Redis: ${inRedis === 1 ? 'yes' : inRedis === 0 ? 'no' : 'unknown'}; ` +
          `error ${JSON.stringify(view.error)}`,
      );
    }
    if (lostTasks.length > 25) this.violations.push(`  … and ${lostTasks.length - 25} more`);
    const wipeAtMs = chaos.wipeAtMs;
    this.violations.push(
      `  Redis was wiped ${wipeAtMs === undefined ? 'never' : `at ${(wipeAtMs / 1000).toFixed(1)} s`}`,
    );
    probe.disconnect();
  }

  /** Responses the client must never see, with the API's log line of the first ten. */
  private checkResponses(): void {
    const unexpected = this.c.client.unexpected;
    for (const line of unexpected) this.violations.push(`unexpected response: ${line}`);
    for (const line of unexpected.slice(0, 10)) {
      const requestId = /request id (\S+)\)/.exec(line)?.[1];
      if (!requestId || requestId === 'null') continue;
      for (const proc of [...this.c.processes.apis.map((a) => a.proc)]) {
        const hit = proc
          ?.text()
          .split('\n')
          .find((l) => l.includes(requestId));
        if (hit) this.violations.push(`  log of ${proc!.name}: ${hit.slice(0, 600)}`);
      }
    }
  }

  /** The audit chain, and one creation entry per task. */
  private async checkAudit(): Promise<{ auditValid: boolean | undefined; auditChecked: number }> {
    const verify = await this.c.client.callWithRetry(
      'audit verify',
      'GET',
      '/api/v1/audit-logs/verify',
      this.c.operator.adminToken,
    );
    const verification = data<{ valid: boolean; checked: number; firstBrokenId?: string }>(verify);
    const auditValid = verification?.valid;
    const auditChecked = verification?.checked ?? 0;
    if (!auditValid) this.violations.push(`audit chain: ${JSON.stringify(verification)}`);
    const { rows: created } = await this.c.pg.query<{ id: string; n: number }>(
      `SELECT resource_id AS id, count(*)::int AS n FROM (
         SELECT resource_id FROM audit_logs WHERE action = 'task.create'
         UNION ALL SELECT resource_id FROM audit_pending WHERE action = 'task.create') e
       GROUP BY resource_id`,
    );
    const createdCount = new Map(created.map((r) => [r.id, r.n]));
    for (const task of this.submitted) {
      const n = createdCount.get(task.id!) ?? 0;
      if (n !== 1) this.violations.push(`task ${task.id}: ${n} task.create audit entries`);
    }
    return { auditValid, auditChecked };
  }
}
