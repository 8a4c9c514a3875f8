import request from 'supertest';
import { TaskRepository } from '../../src/tasks/persistence/task.repository';
import { LoopbackServer } from '../utils/loopback-server';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitFor } from '../utils/wait-for';
import { bearer, createUser, type TestUser } from './users';

export async function createAgent(t: TestApp, user: TestUser, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await request(t.http)
    .post('/api/v1/agents')
    .set(...bearer(user))
    .send({ name: `agent-${Math.random().toString(36).slice(2, 10)}`, ...body });
  if (res.status !== 201) throw new Error(`agent: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export async function submitTask(
  t: TestApp,
  user: TestUser,
  body: Record<string, unknown>,
): Promise<{ id: string; status: string }> {
  const res = await request(t.http)
    .post('/api/v1/tasks')
    .set(...bearer(user))
    .send(body);
  if (res.status !== 202) throw new Error(`task: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export const FINAL = ['succeeded', 'failed', 'cancelled', 'expired'];

/** A task as the API returns it. */
export interface TaskView {
  id: string;
  status: string;
  output: unknown;
  error: { code: string; message: string } | null;
  attempts: number;
  progress: number;
  startedAt: string;
  finishedAt: string;
  [field: string]: unknown;
}

/** Waits for a task to reach a final status and returns it as the API shows it. */
export async function settled(t: TestApp, user: TestUser, id: string, timeoutMs = 15_000): Promise<TaskView> {
  return waitFor(async () => {
    const res = await request(t.http)
      .get(`/api/v1/tasks/${id}`)
      .set(...bearer(user));
    return FINAL.includes(res.body.data?.status) ? (res.body.data as TaskView) : undefined;
  }, timeoutMs);
}

/** What {@link taskTestBed} made: the app, an operator, and the address of the loopback server. */
export interface TaskTestBed {
  t: TestApp;
  op: TestUser;
  remoteUrl: string;
}

/**
 * Set-up for the describe block it is called in: before its tests, starts a loopback server for the HTTP agents
 * and an app that runs tasks in this process (4 at once unless `env` says otherwise) and may call agents on
 * private networks, with an operator, and hands them to `use`; after them, closes both. Returns the server.
 */
export function taskTestBed(use: (bed: TaskTestBed) => void, env: Record<string, string> = {}): LoopbackServer {
  const remote = new LoopbackServer();
  let t: TestApp | undefined;
  beforeAll(async () => {
    const remoteUrl = await remote.start();
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true', WORKER_CONCURRENCY: '4', ...env } });
    use({ t, op: await createUser(t, 'operator'), remoteUrl });
  });
  afterAll(async () => {
    await t?.close();
    await remote.stop();
  });
  return remote;
}

/**
 * A slow database for one of the tasks service's batched statements: the first calls wait a moment before
 * they run for real, so the requests arriving meanwhile queue up behind them. The spy counts the statements.
 */
export function holdStatements(method: 'readMany' | 'insertMany', ms = 300): jest.SpyInstance {
  const service = TaskRepository.prototype as unknown as Record<typeof method, (batch: unknown[]) => Promise<unknown>>;
  const real = service[method];
  const held = new Promise((resolve) => setTimeout(resolve, ms));
  return jest.spyOn(service, method).mockImplementation(async function (this: unknown, batch: unknown[]) {
    await held;
    return real.call(this, batch);
  });
}

/** What {@link calculatorTestBed} made: an app, an operator, and a calculator agent of theirs. */
export interface CalculatorTestBed {
  t: TestApp;
  op: TestUser;
  calc: string;
}

/** The start of many specs (for beforeAll): an app (with `env`), an operator and their calculator agent. */
export async function calculatorTestBed(env: Record<string, string> = {}): Promise<CalculatorTestBed> {
  const t = await createTestApp({ env });
  const op = await createUser(t, 'operator');
  return { t, op, calc: (await createAgent(t, op, { type: 'calculator' })).id };
}
