import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import type { Chaos } from './soak-chaos';
import { data, type SoakClient } from './soak-client';
import type { SoakClock } from './soak-clock';
import type { SoakOptions } from './soak-options';
import type { Planned } from './soak-plan';
import type { SoakProcesses } from './soak-processes';

/** The soak's operator, as the API knows it, and the two agents its tasks run on. */
export interface Operator {
  adminToken: string;
  token: string;
  calcAgentId: string;
  slowAgentId: string;
}

/**
 * The admin logs in and makes a newly registered user an operator; the operator creates a calculator agent
 * and an http agent on the remote.
 */
export async function setUpOperator(
  client: SoakClient,
  runId: string,
  admin: { email: string; password: string },
  remoteUrl: string,
): Promise<Operator> {
  const adminToken = data<{ accessToken: string }>(
    await client.callWithRetry('login', 'POST', '/api/v1/auth/login', undefined, admin),
  ).accessToken;
  const operator = { email: `operator-${runId}@soak.local`, password: randomBytes(12).toString('base64url') };
  const registered = data<{ id: string }>(
    await client.callWithRetry('register', 'POST', '/api/v1/auth/register', undefined, { ...operator, name: 'soak' }),
  );
  await client.callWithRetry('role', 'PATCH', `/api/v1/users/${registered.id}`, adminToken, { role: 'operator' });
  const token = data<{ accessToken: string }>(
    await client.callWithRetry('login', 'POST', '/api/v1/auth/login', undefined, operator),
  ).accessToken;
  const calc = data<{ id: string }>(
    await client.callWithRetry('agent', 'POST', '/api/v1/agents', token, {
      name: `soak-calc-${runId}`,
      type: 'calculator',
      concurrency: 1000,
    }),
  );
  const slowAgent = data<{ id: string }>(
    await client.callWithRetry('agent', 'POST', '/api/v1/agents', token, {
      name: `soak-remote-${runId}`,
      type: 'http',
      concurrency: 1000,
      timeoutMs: 30_000,
      config: { url: `${remoteUrl}/work`, timeoutMs: 20_000 },
    }),
  );
  if (!adminToken || !token || !calc?.id || !slowAgent?.id) throw new Error('could not set up users and agents');
  return { adminToken, token, calcAgentId: calc.id, slowAgentId: slowAgent.id };
}

/** What the submissions and the checks share: the run's options, its tasks, its processes and clients. */
export interface SoakRun {
  options: SoakOptions;
  planned: Planned[];
  operator: Operator;
  client: SoakClient;
  processes: SoakProcesses;
  chaos: Chaos;
  /** The soak's own connection to the run's database. */
  pg: Client;
}

export interface Workload extends SoakRun {
  clock: SoakClock;
}

/**
 * Submits the planned tasks, spread over the window, while the chaos runs; then waits for the chaos and its
 * restarts, and for every task to be final within the drain timeout. Each accepted task gets its `id`.
 * Progress is logged every 5 s.
 */
export async function submitAndDrain(w: Workload): Promise<{ submitMs: number; drainMs: number }> {
  const { options, client, pg, clock } = w;
  const counts = client.counts;
  const log = options.log;
  let inFlight = 0;
  let submittedCount = 0;
  const submitOne = async (task: Planned): Promise<void> => {
    const body = { agentId: task.slow ? w.operator.slowAgentId : w.operator.calcAgentId, input: task.input };
    const answer = await client.callWithRetry(
      `submit ${task.key}`,
      'POST',
      '/api/v1/tasks',
      w.operator.token,
      body,
      { 'idempotency-key': task.key },
      (s) => s === 202 || s === 200,
    );
    const id = data<{ id: string } | undefined>(answer)?.id;
    if (!answer || !id) {
      task.unsubmitted = answer ? `${answer.status}` : 'no answer';
      return;
    }
    if (answer.status === 202) counts.created202 += 1;
    else counts.replayed200 += 1;
    task.id = id;
    submittedCount += 1;
  };
  const progress = setInterval(() => {
    void pg
      .query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM tasks GROUP BY status`)
      .then(({ rows }) =>
        log(
          `${clock.stamp()} submitted ${submittedCount}/${options.tasks}; ` +
            `${rows.map((r) => `${r.status} ${r.n}`).join(', ') || 'no tasks yet'}; ` +
            `kills ${w.chaos.kills.length}; 503 ${counts.status503}, 504 ${counts.status504}, ` +
            `connection errors ${counts.connectionErrors}`,
        ),
      )
      .catch(() => undefined);
  }, 5000);
  const submissions: Promise<void>[] = [];
  const submitStart = Date.now();
  try {
    for (const task of w.planned) {
      const due = submitStart + (task.index * options.durationMs) / Math.max(1, options.tasks);
      if (due > Date.now()) await clock.pause(due - Date.now());
      while (inFlight >= options.submitConcurrency) await clock.pause(10);
      inFlight += 1;
      const submission = submitOne(task).finally(() => (inFlight -= 1));
      submission.catch(() => undefined); // awaited below, all together
      submissions.push(submission);
    }
    await Promise.all(submissions);
    const submitEnd = Date.now();
    const submitMs = submitEnd - submitStart;
    await w.chaos.finished();
    const apisUp = w.processes.apis.filter((a) => a.url).length;
    log(`${clock.stamp()} submissions and chaos done; ${apisUp} APIs and 2 workers up`);

    // Drain: every task final, within the deadline.
    // The drain counts from the last submission; its deadline from when the chaos is over, too.
    const drainDeadline = Date.now() + options.drainTimeoutMs;
    for (;;) {
      const { rows } = await pg.query<{ open: number }>(
        `SELECT count(*)::int AS open FROM tasks WHERE status NOT IN ('succeeded', 'failed', 'cancelled')`,
      );
      if (rows[0].open === 0 || Date.now() > drainDeadline) break;
      await clock.pause(250);
    }
    return { submitMs, drainMs: Date.now() - submitEnd };
  } finally {
    clearInterval(progress);
  }
}
