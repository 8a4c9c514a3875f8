import type { Proc } from './soak-processes';

/** What a run found. `violations` is empty when every promise held. */
export interface SoakReport {
  seed: number;
  tasks: { planned: number; submitted: number; slow: number };
  statuses: Record<string, number>;
  lost: number;
  wrong: number;
  duplicates: number;
  client: Record<string, number>;
  /** SIGKILLs performed; `skippedTicks`: worker ticks that found a worker still starting. */
  kills: { worker: number; api: number; redis: number; skippedTicks: number };
  remoteExecutions: { calls: number; tasksRunTwiceOrMore: number };
  /** What the workers' reconcilers logged: tasks queued again, running tasks taken over. */
  reconciler: { requeued: number; takenOver: number };
  auditValid: boolean | undefined;
  auditChecked: number;
  durationMs: number;
  submitMs: number;
  drainMs: number;
  tasksPerSecond: number;
  violations: string[];
  logDir: string;
}

/** What the workers' reconcilers logged, summed over every worker process the run started. */
export function reconcilerCounts(procs: Proc[]): SoakReport['reconciler'] {
  const reconciler = { requeued: 0, takenOver: 0 };
  for (const proc of procs.filter((p) => p.name.startsWith('worker'))) {
    for (const m of proc.text().matchAll(/queued (\d+) task\(s\) again/g)) reconciler.requeued += Number(m[1]);
    for (const m of proc.text().matchAll(/took over (\d+) running task/g)) reconciler.takenOver += Number(m[1]);
  }
  return reconciler;
}

/** The report's figures, one line each, and every violation. */
export function printSummary(report: SoakReport, log: (line: string) => void): void {
  const c = report.client;
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  log('');
  log('soak summary');
  log(`  seed                 ${report.seed}`);
  log(
    `  tasks                ${report.tasks.submitted}/${report.tasks.planned} accepted (${report.tasks.slow} slow); ` +
      Object.entries(report.statuses)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
  );
  log(
    `  kills                ${report.kills.worker} workers, ${report.kills.api} API, ${report.kills.redis} Redis wipe(s) (SIGKILL); ` +
      `${report.kills.skippedTicks} worker tick(s) skipped while a worker was starting`,
  );
  log(
    `  client               ${c.requests} requests; 503 ${c.status503}, 504 ${c.status504}, 409 ${c.conflict409}, ` +
      `429 ${c.rateLimited429}, connection errors ${c.connectionErrors}, timeouts ${c.clientTimeouts}, ` +
      `retries ${c.retries}, replayed (200) ${c.replayed200}, other 5xx ${c.unexpected5xx}, other 4xx ${c.unexpected4xx}`,
  );
  log(`  lost                 ${report.lost}`);
  log(`  wrong outputs        ${report.wrong}`);
  log(`  recorded twice       ${report.duplicates}`);
  log(
    `  remote executions    ${report.remoteExecutions.calls} calls; ${report.remoteExecutions.tasksRunTwiceOrMore} slow tasks ran more than once (at-least-once execution)`,
  );
  log(
    `  reconcilers          queued ${report.reconciler.requeued} task(s) again, took over ${report.reconciler.takenOver} running task(s) (from the workers' logs)`,
  );
  log(`  audit chain          ${report.auditValid ? 'valid' : 'NOT VALID'} (${report.auditChecked} entries)`);
  log(
    `  time                 ${s(report.durationMs)} in all; submissions ${s(report.submitMs)}, drain (last submission → all final) ${s(report.drainMs)}; ${report.tasksPerSecond} tasks/s`,
  );
  if (report.violations.length) {
    log(`  VIOLATIONS (${report.violations.length}); process logs kept in ${report.logDir}`);
    for (const v of report.violations) log(`  ${v}`);
  } else {
    log('  no violations');
  }
}
