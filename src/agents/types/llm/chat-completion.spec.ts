import type { ServerSentEvent } from '../../outbound/event-stream';
import { completionOutput, streamedOutput } from './chat-completion';

async function* events(...data: (string | object)[]): AsyncGenerator<ServerSentEvent> {
  for (const d of data) yield { event: 'message', data: typeof d === 'string' ? d : JSON.stringify(d) };
}

const chunk = (content: string | null, finishReason: string | null = null) => ({
  model: 'tiny-2024',
  choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finishReason }],
});

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

describe('streamedOutput', () => {
  it('hands each content delta on and returns what a plain answer would', async () => {
    const deltas: string[] = [];
    const out = await streamedOutput(
      events(
        { model: 'tiny-2024', choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] },
        chunk('Hel'),
        chunk('lo'),
        chunk(''),
        chunk(null, 'stop'),
        { choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } },
        '[DONE]',
      ),
      'tiny',
      (d) => deltas.push(d),
    );
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(out).toEqual({
      text: 'Hello',
      model: 'tiny-2024',
      usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 },
      finishReason: 'stop',
    });
  });

  it('accepts a stream that ends after a finish reason without [DONE]; usage stays null when none came', async () => {
    const out = await streamedOutput(
      events({ choices: [{ delta: { content: 'ok' }, finish_reason: 'length' }] }),
      'tiny',
      () => undefined,
    );
    expect(out).toEqual({ text: 'ok', model: 'tiny', usage: null, finishReason: 'length' });
  });

  it('reads nothing after [DONE]', async () => {
    const out = await streamedOutput(events(chunk('a'), '[DONE]', 'not json'), 'tiny', () => undefined);
    expect(out.text).toBe('a');
  });

  it('a stream that ends before the answer is complete is retried', async () => {
    expect(await failure(streamedOutput(events(chunk('Hel')), 'tiny', () => undefined))).toMatchObject({
      code: 'STREAM_INCOMPLETE',
      retryable: true,
    });
  });

  it('an error sent mid-stream is retried; a chunk that is not JSON, or no answer at all, fails at once', async () => {
    expect(
      await failure(streamedOutput(events(chunk('a'), { error: { message: 'overloaded' } }), 'tiny', () => undefined)),
    ).toMatchObject({ code: 'STREAM_ERROR', retryable: true, message: expect.stringContaining('overloaded') });
    expect(await failure(streamedOutput(events(chunk('a'), '{oops'), 'tiny', () => undefined))).toMatchObject({
      code: 'BAD_RESPONSE',
      retryable: false,
    });
    expect(await failure(streamedOutput(events({ choices: [] }, '[DONE]'), 'tiny', () => undefined))).toMatchObject({
      code: 'BAD_RESPONSE',
      retryable: false,
    });
  });
});

describe('completionOutput', () => {
  it('maps a chat.completion answer', () => {
    expect(
      completionOutput(JSON.stringify({ choices: [{ message: { content: 'hi' }, finish_reason: 'stop' }] }), 'tiny'),
    ).toEqual({ text: 'hi', model: 'tiny', usage: null, finishReason: 'stop' });
  });

  it('refuses what is not JSON or holds no message, for good', () => {
    expect(() => completionOutput('<html>', 'tiny')).toThrow(
      expect.objectContaining({ code: 'BAD_RESPONSE', retryable: false }),
    );
    expect(() => completionOutput('{"choices":[]}', 'tiny')).toThrow(expect.objectContaining({ code: 'BAD_RESPONSE' }));
  });
});
