import request from 'supertest';
import { HttpAgentType } from '../src/agents/types/http/http.agent-type';
import { createAgent, settled, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { LoopbackServer } from './utils/loopback-server';
import { createTestApp, type TestApp } from './utils/test-app';

/** Answers with this exact JSON text (escapes such as `\u0000` reach the agent as they are). */
function answerWith(remote: LoopbackServer, text: string): void {
  remote.handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(text);
  };
}

describe('task outcomes Postgres would refuse as they are', () => {
  let t: TestApp;
  let op: TestUser;
  const remote = new LoopbackServer();
  let remoteUrl: string;

  beforeAll(async () => {
    remoteUrl = await remote.start();
    t = await createTestApp({ env: { AGENT_ALLOW_PRIVATE_NETWORKS: 'true' } });
    op = await createUser(t, 'operator');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await remote.stop();
  });
  beforeEach(() => {
    remote.requests.length = 0;
  });

  const attemptsOf = async (taskId: string) =>
    (
      await request(t.http)
        .get(`/api/v1/tasks/${taskId}/attempts`)
        .set(...bearer(op))
    ).body.data as { attempt: number; status: string; error: { code: string } | null }[];

  it('an answer with NUL and lone surrogates is stored with U+FFFD in their place, once', async () => {
    answerWith(remote, '{"text":"a\\u0000b","lone":"x\\ud800y","pair":"\\ud83d\\ude00","k\\u0000":["\\udfff",1]}');
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}/nul` } });
    const task = await submitTask(t, op, { agentId: agent.id, input: {} });

    const done = await settled(t, op, task.id, 20_000);
    expect(done).toEqual(
      expect.objectContaining({
        status: 'succeeded',
        attempts: 1,
        output: { text: 'a\uFFFDb', lone: 'x\uFFFDy', pair: '\u{1F600}', 'k\uFFFD': ['\uFFFD', 1] },
      }),
    );
    expect(remote.requests).toHaveLength(1);
    expect(await attemptsOf(task.id)).toEqual([expect.objectContaining({ attempt: 1, status: 'succeeded' })]);
  }, 30_000);

  /** A task of an http agent calling `path`, which fails at once with OUTPUT_NOT_STORABLE, its one attempt too. */
  async function failsNotStorable(path: string): Promise<void> {
    const agent = await createAgent(t, op, { type: 'http', config: { url: `${remoteUrl}${path}` } });
    const task = await submitTask(t, op, { agentId: agent.id, input: {}, maxAttempts: 3, backoffMs: 100 });
    const notStorable = expect.objectContaining({ code: 'OUTPUT_NOT_STORABLE' });
    expect(await settled(t, op, task.id, 20_000)).toEqual(
      expect.objectContaining({ status: 'failed', attempts: 1, output: null, error: notStorable }),
    );
    expect(await attemptsOf(task.id)).toEqual([
      expect.objectContaining({ attempt: 1, status: 'failed', error: notStorable }),
    ]);
  }

  it('an output that cannot be stored at all fails the task with OUTPUT_NOT_STORABLE, without retries', async () => {
    // An executor may hand back what JSON cannot hold (here a BigInt); the remote side is not even asked.
    jest.spyOn(HttpAgentType.prototype, 'execute').mockResolvedValueOnce({ count: 10n });
    await failsNotStorable('/big');
    expect(remote.requests).toHaveLength(0);
  }, 30_000);

  it('an answer nested too deep to store fails the task with OUTPUT_NOT_STORABLE at once, not as the executor’s fault', async () => {
    answerWith(remote, `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    await failsNotStorable('/deep');
    expect(remote.requests).toHaveLength(1);
  }, 30_000);
});
