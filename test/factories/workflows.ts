import request from 'supertest';
import { json, LoopbackServer } from '../utils/loopback-server';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitFor } from '../utils/wait-for';
import { createAgent } from './tasks';
import { bearer, createUser, type TestUser } from './users';

/** Creates a workflow (a random name unless `body` gives one); fails the test on anything but 201. */
export async function createWorkflow(t: TestApp, user: TestUser, body: Record<string, unknown>): Promise<string> {
  const res = await request(t.http)
    .post('/api/v1/workflows')
    .set(...bearer(user))
    .send({ name: `wf-${Math.random().toString(36).slice(2, 10)}`, ...body });
  if (res.status !== 201) throw new Error(`workflow: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body.data as { id: string }).id;
}

/** Starts a run of `workflowId` with `input`; fails the test on anything but 202. Returns the run as answered. */
export async function startRun<Run extends { id: string } = { id: string; status: string }>(
  t: TestApp,
  user: TestUser,
  workflowId: string,
  input?: Record<string, unknown>,
): Promise<Run> {
  const res = await request(t.http)
    .post(`/api/v1/workflows/${workflowId}/runs`)
    .set(...bearer(user))
    .send(input === undefined ? {} : { input });
  if (res.status !== 202) throw new Error(`run: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as Run;
}

/** A run as the API shows it, with what the workflow tests read. */
export interface RunView {
  id: string;
  status: string;
  output: Record<string, unknown> | null;
  workflowVersion: number;
  steps: {
    id: string;
    status: string;
    taskId: string | null;
    output: unknown;
    error: { code: string; message: string } | null;
  }[];
}

/** The run's step `id`. */
export const stepOf = (run: RunView, id: string) => run.steps.find((s) => s.id === id)!;

/** What the workflow tests start from: the app, an operator and agents of theirs. */
export interface WorkflowTestApp {
  t: TestApp;
  op: TestUser;
  /** A calculator. */
  calc: string;
  /** An HTTP agent answering `{ value: input.value + 1 }` after 300 ms. */
  remoteAgent: string;
}

export interface WorkflowTestBed {
  /** `timesTen` answers `{ value: input.value * 10 }` after 300 ms, `slow` takes 10 s (set by `setUp`). */
  agents: { timesTen?: string; slow?: string };
  /** Starts the agents' remote end and the app (4 tasks at once); makes the operator and agents (for beforeAll). */
  setUp(): Promise<WorkflowTestApp>;
  /** Closes the app and stops the remote end (for afterAll). */
  tearDown(): Promise<void>;
  /** Defines a workflow of `steps` as `user` (the operator unless given). */
  define(steps: object[], user?: TestUser): Promise<{ id: string }>;
  /** Starts a run of the workflow with `input` as `user` (the operator unless given). */
  start(workflowId: string, input: object, user?: TestUser): Promise<RunView>;
  /** The run once it is no longer running, as `user` (the operator unless given) reads it. */
  finished(runId: string, user?: TestUser): Promise<RunView>;
}

/**
 * The workflow tests' app, operator and agents, with helpers that define workflows and start and follow runs.
 * `onCall` hears how many calls the remote end is answering, each time one arrives.
 */
export function workflowTestBed(onCall: (inFlight: number) => void = () => undefined): WorkflowTestBed {
  let t: TestApp;
  let op: TestUser;
  const remote = new LoopbackServer();
  let inFlight = 0;
  const agents: { timesTen?: string; slow?: string } = {};

  const define = async (steps: object[], user = op) =>
    (
      await request(t.http)
        .post('/api/v1/workflows')
        .set(...bearer(user))
        .send({ name: 'wf', steps })
        .expect(201)
    ).body.data as { id: string };
  const start = async (workflowId: string, input: object, user = op) =>
    (
      await request(t.http)
        .post(`/api/v1/workflows/${workflowId}/runs`)
        .set(...bearer(user))
        .send({ input })
        .expect(202)
    ).body.data as RunView;
  const finished = (runId: string, user = op) =>
    waitFor(async () => {
      const run = (
        await request(t.http)
          .get(`/api/v1/workflow-runs/${runId}`)
          .set(...bearer(user))
      ).body.data as RunView;
      return run.status !== 'running' ? run : undefined;
    }, 20_000);

  return {
    agents,
    async setUp() {
      const url = await remote.start();
      remote.handler = (req, res) => {
        const body = JSON.parse(req.body) as { input: { value?: number } };
        const delay = req.url === '/slow' ? 10_000 : 300;
        inFlight += 1;
        onCall(inFlight);
        setTimeout(() => {
          inFlight -= 1;
          const value = body.input.value ?? 0;
          json(res, 200, { value: req.url === '/times-ten' ? value * 10 : value + 1 });
        }, delay);
      };
      t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true', WORKER_CONCURRENCY: '4' } });
      op = await createUser(t, 'operator');
      const calc = (await createAgent(t, op, { type: 'calculator', concurrency: 4 })).id;
      const remoteAgent = (
        await createAgent(t, op, { type: 'http', config: { url: `${url}/plus-one` }, concurrency: 4 })
      ).id;
      const timesTen = (await createAgent(t, op, { type: 'http', config: { url: `${url}/times-ten` }, concurrency: 4 }))
        .id;
      const slow = (await createAgent(t, op, { type: 'http', config: { url: `${url}/slow` } })).id;
      Object.assign(agents, { timesTen, slow });
      return { t, op, calc, remoteAgent };
    },
    async tearDown() {
      await t?.close();
      await remote.stop();
    },
    define,
    start,
    finished,
  };
}
