import { createHmac, timingSafeEqual } from 'node:crypto';
import request from 'supertest';
import { LoopbackServer, type RecordedRequest } from '../utils/loopback-server';
import { createTestApp, type TestApp } from '../utils/test-app';
import { createAgent, settled, submitTask } from './tasks';
import { bearer, createUser, type TestUser } from './users';

/** A delivery as an endpoint's delivery log shows it. */
export interface Delivery {
  id: string;
  messageId: string;
  status: string;
  resourceId: string;
  attempts: number;
  responseCode: number | null;
  attemptLog: { attempt: number; responseCode: number | null; durationMs: number; error: string | null }[];
  error?: string | null;
  nextAttemptAt?: string | null;
}

/** A receiver's check, written from the Standard Webhooks spec: v1 HMAC-SHA256 of `id.timestamp.body`. */
export function verify(secret: string, req: RecordedRequest): boolean {
  const id = req.headers['webhook-id'] as string;
  const timestamp = req.headers['webhook-timestamp'] as string;
  const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    .update(`${id}.${timestamp}.${req.body}`)
    .digest();
  return String(req.headers['webhook-signature'])
    .split(' ')
    .some((sig) => {
      const [version, value] = sig.split(',');
      const given = Buffer.from(value ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

export interface WebhookTestBed {
  /** The server the endpoints point at, recording what it was sent. */
  receiver: LoopbackServer;
  /** Each operator's calculator agent, by the operator's id (see `createAgentFor`). */
  agents: Map<string, string>;
  /**
   * Starts the app (3 attempts a delivery, 100 ms backoff, an endpoint disabled after 2 deliveries failed in a
   * row, the reconciler every second), then the receiver, and gives its url (for beforeAll).
   */
  start(): Promise<{ t: TestApp; url: string }>;
  /** Stops the receiver and closes the app (for afterAll). */
  stop(): Promise<void>;
  /** An operator of their own, so only their endpoints get their tasks' events. */
  operatorWithEndpoint(
    path: string,
    events?: string[],
  ): Promise<{ op: TestUser; hook: { id: string; secret: string } }>;
  /** What the receiver was sent at `path`, in order. */
  at(path: string): RecordedRequest[];
  /** The endpoint's delivery log as `op` reads it. */
  deliveries(op: TestUser, hookId: string): Promise<Delivery[]>;
  /** Runs a calculator task of `op`'s to its end; returns its id. */
  runTask(op: TestUser): Promise<string>;
  /** Makes `op`'s calculator agent, once. */
  createAgentFor(op: TestUser): Promise<void>;
}

/** The webhook tests' app and receiver, and the helpers that make endpoints and read what was delivered. */
export function webhookTestBed(): WebhookTestBed {
  const receiver = new LoopbackServer();
  const agents = new Map<string, string>();
  let t: TestApp;
  let url: string;

  async function operatorWithEndpoint(
    path: string,
    events = ['task.succeeded'],
  ): Promise<{ op: TestUser; hook: { id: string; secret: string } }> {
    const op = await createUser(t, 'operator');
    const res = await request(t.http)
      .post('/api/v1/webhooks')
      .set(...bearer(op))
      .send({ url: `${url}${path}`, events })
      .expect(201);
    return { op, hook: res.body.data };
  }

  async function deliveries(op: TestUser, hookId: string): Promise<Delivery[]> {
    const res = await request(t.http)
      .get(`/api/v1/webhooks/${hookId}/deliveries`)
      .set(...bearer(op))
      .expect(200);
    return res.body.data;
  }

  async function runTask(op: TestUser): Promise<string> {
    await createAgentFor(op);
    const task = await submitTask(t, op, { agentId: agents.get(op.id)!, input: { expression: '6*7' } });
    await settled(t, op, task.id);
    return task.id;
  }

  async function createAgentFor(op: TestUser): Promise<void> {
    if (!agents.has(op.id)) agents.set(op.id, (await createAgent(t, op, { type: 'calculator' })).id);
  }

  return {
    receiver,
    agents,
    async start() {
      t = await createTestApp({
        env: {
          AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
          WEBHOOK_MAX_ATTEMPTS: '3',
          WEBHOOK_BACKOFF_MS: '100',
          WEBHOOK_DISABLE_AFTER_FAILURES: '2',
          WEBHOOK_RECONCILE_INTERVAL_MS: '1000',
        },
      });
      url = await receiver.start();
      return { t, url };
    },
    async stop() {
      await receiver.stop();
      await t?.close();
    },
    operatorWithEndpoint,
    at: (path) => receiver.requests.filter((r) => r.url === path),
    deliveries,
    runTask,
    createAgentFor,
  };
}
