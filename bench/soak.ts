import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { Chaos } from './soak-chaos';
import { SoakChecks } from './soak-checks';
import { SoakClient } from './soak-client';
import { SoakClock } from './soak-clock';
import { type SoakOptions, soakOptionsFromEnv } from './soak-options';
import { plan } from './soak-plan';
import { MAIN, ROOT, SoakProcesses } from './soak-processes';
import { Reaper } from './soak-reaper';
import { RemoteAgent } from './soak-remote';
import { printSummary, reconcilerCounts, type SoakReport } from './soak-report';
import { setUpOperator, submitAndDrain } from './soak-workload';

export { type SoakOptions, soakOptionsFromEnv, type SoakReport };

/**
 * `npm run soak`: the promise "nothing is lost", under chaos. Two API and two worker processes of the built
 * app run on a Redis server and a database of their own; tasks whose right output the client knows are
 * submitted through both APIs while a worker is SIGKILLed every few seconds, Redis is SIGKILLed and
 * restarted empty once (a few seconds after a worker kill, while that worker's jobs are still locked) and an
 * API is SIGKILLed once. Then every task must have succeeded exactly once with the right output, the client
 * must have seen no 5xx but 503/504, and the audit chain must verify. Prints figures and every violation,
 * with evidence. The same {@link runSoak} backs the short end-to-end test (test/soak.e2e-spec.ts).
 *
 * Its parts, beside it: the options (soak-options.ts), the planned tasks (soak-plan.ts), the platform's
 * processes and their reaper (soak-processes.ts, soak-reaper.ts), the remote agent of slow tasks
 * (soak-remote.ts), the client (soak-client.ts), the chaos (soak-chaos.ts), the operator's setup and the
 * submissions (soak-workload.ts), the checks (soak-checks.ts) and the report (soak-report.ts).
 */

/** Drops the run's database; a failure is logged, not thrown. */
async function dropDatabase(options: SoakOptions, database: string): Promise<void> {
  const server = new Client({ connectionString: `${options.pgServer}/postgres` });
  try {
    await server.connect();
    await server.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } catch (err) {
    options.log(`soak: could not drop database ${database}: ${(err as Error).message}`);
  } finally {
    await server.end().catch(() => undefined);
  }
}

/** Runs the soak and cleans up after it, whatever happens. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const database = `ymera_soak_${runId}`;
  const prefix = `soak-${runId}`;
  const admin = { email: 'admin@soak.local', password: randomBytes(12).toString('base64url') };
  const log = options.log;
  mkdirSync(options.logDir, { recursive: true });
  const clock = new SoakClock(options.signal);
  const reaper = new Reaper(join(ROOT, 'node_modules', 'pg'));
  reaper.tell(`db ${options.pgServer} ${database}`);
  const processes = new SoakProcesses(options, { database, prefix, admin }, clock, reaper);
  const violations: string[] = [];
  const client = new SoakClient(processes.apis, clock, violations);
  const remote = new RemoteAgent(options.seed, options.slowMaxMs);
  let pg: Client | undefined;
  const planned = plan(options, runId);
  let failed = false;

  try {
    log(
      `soak: ${options.tasks} tasks (${Math.round(options.slowShare * 100)} % slow) over ${options.durationMs / 1000} s, ` +
        (options.chaos ? `a worker killed every ${options.killIntervalMs / 1000} s` : 'no chaos (control run)') +
        `, seed ${options.seed}; ` +
        `QUEUE_LOCK_DURATION_MS=${options.lockDurationMs} QUEUE_RECONCILE_INTERVAL_MS=${options.reconcileIntervalMs} ` +
        `WORKER_CONCURRENCY=${options.workerConcurrency}; logs in ${options.logDir}`,
    );
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (tsc -p tsconfig.build.json)`);
    const remoteUrl = await remote.listen();
    await processes.startAll();
    const apiUrls = processes.apis.map((a) => a.url).join(' and ');
    log(`${clock.stamp()} up: redis on ${processes.redisPort}, ${apiUrls}, 2 workers`);
    pg = new Client({ connectionString: `${options.pgServer}/${database}` });
    await pg.connect();

    const operator = await setUpOperator(client, runId, admin, remoteUrl);
    const chaos = new Chaos(options, processes, clock);
    chaos.begin();
    const run = { options, planned, operator, client, processes, chaos, pg };
    const { submitMs, drainMs } = await submitAndDrain({ ...run, clock });
    const outcome = await new SoakChecks({ ...run, prefix, violations }).run();

    const report: SoakReport = {
      seed: options.seed,
      tasks: { planned: planned.length, submitted: outcome.submitted, slow: planned.filter((t) => t.slow).length },
      statuses: outcome.statuses,
      lost: outcome.lost,
      wrong: outcome.wrong,
      duplicates: outcome.duplicates,
      client: client.counts,
      kills: {
        worker: chaos.kills.filter((k) => k.what === 'worker').length,
        api: chaos.kills.filter((k) => k.what === 'api').length,
        redis: chaos.kills.filter((k) => k.what === 'redis').length,
        skippedTicks: chaos.skippedTicks,
      },
      remoteExecutions: remote.executions(),
      reconciler: reconcilerCounts(processes.spawned),
      auditValid: outcome.auditValid,
      auditChecked: outcome.auditChecked,
      durationMs: clock.elapsed(),
      submitMs,
      drainMs,
      tasksPerSecond: Math.round((outcome.submitted / ((submitMs + drainMs) / 1000)) * 10) / 10,
      violations,
      logDir: options.logDir,
    };
    failed = violations.length > 0;
    printSummary(report, log);
    return report;
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // Everything this run started goes, whatever happened.
    await processes.stopAll();
    await remote.close();
    await pg?.end().catch(() => undefined);
    await dropDatabase(options, database);
    await processes.closeLogs();
    reaper.done();
    if (!failed && !options.keepLogs) rmSync(options.logDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals += 1;
    process.stderr.write(`soak: ${sig}, stopping and cleaning up\n`);
    controller.abort();
    if (signals > 1) process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const options = soakOptionsFromEnv(process.env, { signal: controller.signal });
  // A bound on the whole run, whatever happens.
  const limit = setTimeout(
    () => {
      process.stderr.write('soak: over its time limit, stopping\n');
      controller.abort();
    },
    options.durationMs + options.drainTimeoutMs + 10 * 60_000,
  );
  limit.unref();
  try {
    const report = await runSoak(options);
    process.stdout.write(`soak: ${report.violations.length === 0 ? 'passed' : 'FAILED'}\n`);
    process.exitCode = report.violations.length === 0 && !controller.signal.aborted ? 0 : 1;
  } catch (err) {
    process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = controller.signal.aborted ? 130 : 1;
  }
}

if (require.main === module) void main();
