import { nonRetryable, retryable } from '../../agent-type';
import type { ServerSentEvent } from '../../outbound/event-stream';

export interface LlmOutput {
  text: string;
  model: string;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
  finishReason: string | null;
}

type Usage = { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };

interface ChatCompletion {
  model?: string;
  choices?: { message?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: Usage | null;
}

interface ChatCompletionChunk {
  model?: string;
  choices?: { index?: number; delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: Usage | null;
  error?: { message?: unknown } | string;
}

function usageOf(usage: Usage | null | undefined): LlmOutput['usage'] {
  return usage
    ? {
        promptTokens: usage.prompt_tokens ?? 0,
        completionTokens: usage.completion_tokens ?? 0,
        totalTokens: usage.total_tokens ?? 0,
      }
    : null;
}

/** The output of a whole (non-streamed) `chat.completion` answer. */
export function completionOutput(body: string, requestedModel: string): LlmOutput {
  let completion: ChatCompletion;
  try {
    completion = JSON.parse(body) as ChatCompletion;
  } catch {
    throw nonRetryable('BAD_RESPONSE', 'The model endpoint answered with something that is not JSON');
  }
  const choice = completion.choices?.[0];
  if (!choice?.message || typeof choice.message.content !== 'string') {
    throw nonRetryable('BAD_RESPONSE', 'The model endpoint answered without a message');
  }
  return {
    text: choice.message.content,
    model: completion.model ?? requestedModel,
    usage: usageOf(completion.usage),
    finishReason: choice.finish_reason ?? null,
  };
}

/**
 * The output of a streamed answer: `chat.completion.chunk` events up to `data: [DONE]`, each content delta
 * handed to `onDelta` as it comes. A stream that ends before `[DONE]` and before a finish reason was cut:
 * STREAM_INCOMPLETE, retried. An `error` the server sends mid-stream (an overloaded backend, mostly) is
 * retried too; a chunk that is not JSON fails at once.
 */
export async function streamedOutput(
  events: AsyncIterable<ServerSentEvent>,
  requestedModel: string,
  onDelta: (text: string) => void,
): Promise<LlmOutput> {
  let text = '';
  let model: string | undefined;
  let usage: LlmOutput['usage'] = null;
  let finishReason: string | null = null;
  let answered = false;
  let done = false;
  for await (const event of events) {
    if (event.data.trim() === '[DONE]') {
      done = true;
      break;
    }
    let chunk: ChatCompletionChunk;
    try {
      chunk = JSON.parse(event.data) as ChatCompletionChunk;
    } catch {
      throw nonRetryable('BAD_RESPONSE', 'The model endpoint streamed a chunk that is not JSON');
    }
    if (event.event === 'error' || chunk.error) throw streamError(chunk);
    model ??= chunk.model;
    if (chunk.usage) usage = usageOf(chunk.usage);
    const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
    if (!choice) continue;
    answered = true;
    const delta = choice.delta?.content;
    if (typeof delta === 'string' && delta !== '') {
      text += delta;
      onDelta(delta);
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  if (!done && finishReason === null) {
    throw retryable('STREAM_INCOMPLETE', 'The model endpoint ended its stream before the answer was complete');
  }
  if (!answered) throw nonRetryable('BAD_RESPONSE', 'The model endpoint answered without a message');
  return { text, model: model ?? requestedModel, usage, finishReason };
}

function streamError(chunk: ChatCompletionChunk) {
  const raw = typeof chunk.error === 'string' ? chunk.error : chunk.error?.message;
  const detail = typeof raw === 'string' && raw ? `: ${raw.slice(0, 200)}` : '';
  return retryable('STREAM_ERROR', `The model endpoint reported an error mid-stream${detail}`);
}
