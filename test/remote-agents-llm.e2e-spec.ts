import type { LlmAgentConfig } from '../src/agents/types/llm/llm.agent-type';
import { executionContext } from './fakes/execution-context';
import { json, streamChat } from './utils/loopback-server';
import { type AgentKit, failure, ON_LOOPBACK, remoteAgentsTestBed } from './utils/remote-agents';
import { waitFor } from './utils/wait-for';

describe('remote agents over real HTTP on loopback', () => {
  const bed = remoteAgentsTestBed(ON_LOOPBACK);
  const { server } = bed;
  let base: string;
  let kit: AgentKit;

  beforeAll(async () => ({ base, kit } = await bed.start()));
  afterAll(() => bed.stop());
  beforeEach(() => {
    server.requests.length = 0;
  });

  it('llm: calls /chat/completions and maps the answer; 429 and 500 retry, 400 fails', async () => {
    const llmConfig: LlmAgentConfig = {
      baseUrl: `${base}/v1`,
      model: 'tiny',
      apiKey: 'sk-test',
      systemPrompt: 'Be brief.',
      timeoutMs: 2000,
    };
    server.handler = (req, res) =>
      json(res, 200, {
        model: 'tiny-2024',
        choices: [
          {
            message: { role: 'assistant', content: `you said ${JSON.parse(req.body).messages[1].content}` },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
      });
    const out = await kit.llm.execute(executionContext({ prompt: 'hi' }, llmConfig, { agentId: 'llm-ok' }));
    expect(out).toEqual({
      text: 'you said hi',
      model: 'tiny-2024',
      usage: { promptTokens: 5, completionTokens: 3, totalTokens: 8 },
      finishReason: 'stop',
    });
    const [req] = server.requests;
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    // Streaming is asked for by default; a server that ignores it answers with one document, read as such.
    expect(JSON.parse(req.body)).toEqual({
      model: 'tiny',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    // stream: false sends the plain request.
    server.requests.length = 0;
    await kit.llm.execute(executionContext({ prompt: 'hi' }, { ...llmConfig, stream: false }, { agentId: 'llm-ok' }));
    expect(JSON.parse(server.requests[0].body)).toEqual({
      model: 'tiny',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(server.requests[0].headers.accept).toBe('application/json');

    server.handler = (_req, res) => json(res, 429, { error: 'slow down' }, { 'retry-after': '7' });
    expect(
      await failure(kit.llm.execute(executionContext({ prompt: 'x' }, llmConfig, { agentId: 'llm-429' }))),
    ).toMatchObject({
      retryable: true,
      retryAfterMs: 7000,
    });
    server.handler = (_req, res) => json(res, 500, {});
    expect(
      (await failure(kit.llm.execute(executionContext({ prompt: 'x' }, llmConfig, { agentId: 'llm-500' })))).retryable,
    ).toBe(true);
    server.handler = (_req, res) => json(res, 400, { error: 'bad' });
    expect(
      (await failure(kit.llm.execute(executionContext({ prompt: 'x' }, llmConfig, { agentId: 'llm-400' })))).retryable,
    ).toBe(false);
  });

  it('llm: reads a streamed answer, handing each delta on as it arrives', async () => {
    const llmConfig: LlmAgentConfig = { baseUrl: base, model: 'tiny', timeoutMs: 5000 };
    const seen: string[] = [];
    server.handler = (_req, res) =>
      streamChat(res, ['Once', ' upon', ' a', ' time'], { delayMs: 30, onChunk: (text) => seen.push(text) });
    const arrivals: string[] = [];
    const ctx = executionContext({ prompt: 'story' }, llmConfig, { agentId: 'llm-stream' });
    ctx.outputDelta = (text) => {
      // Each delta comes while the server is still writing: it has sent exactly up to that one.
      arrivals.push(`${text}@${seen.length}`);
    };
    const out = await kit.llm.execute(ctx);
    expect(out).toEqual({
      text: 'Once upon a time',
      model: 'tiny-2024',
      usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
      finishReason: 'stop',
    });
    expect(arrivals).toEqual(['Once@1', ' upon@2', ' a@3', ' time@4']);
    expect(server.requests[0].headers.accept).toBe('text/event-stream, application/json');
  });

  it('llm: cancelling mid-stream closes the connection at once; a cut stream is retryable', async () => {
    const llmConfig: LlmAgentConfig = { baseUrl: base, model: 'tiny', timeoutMs: 10_000 };
    let cutShort = false;
    server.handler = (_req, res) => {
      res.on('close', () => (cutShort = !res.writableEnded));
      streamChat(
        res,
        Array.from({ length: 100 }, (_, i) => `w${i} `),
        { delayMs: 100 },
      );
    };
    const controller = new AbortController();
    const ctx = executionContext({ prompt: 'x' }, llmConfig, { agentId: 'llm-cancel', signal: controller.signal });
    // Cancelled 150 ms after the first delta, with the stream under way.
    let streaming = false;
    ctx.outputDelta = () => {
      if (streaming) return;
      streaming = true;
      setTimeout(() => controller.abort(new Error('cancelled')), 150);
    };
    const err = await failure(kit.llm.execute(ctx));
    // Cancelled, not timed out: the call ended at the abort, with most of the stream still to come.
    expect(err).toMatchObject({ code: 'CANCELLED', retryable: false });
    // The server sees its client go while it still streams (it had more than 9 seconds of chunks to send).
    await waitFor(async () => cutShort);

    server.handler = (_req, res) => streamChat(res, ['Hel', 'lo', '!'], { delayMs: 20, cutAfter: 2 });
    const cut = await failure(kit.llm.execute(executionContext({ prompt: 'x' }, llmConfig, { agentId: 'llm-cut' })));
    expect(cut).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });
});
