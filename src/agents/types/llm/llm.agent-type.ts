import { Injectable } from '@nestjs/common';
import { type AgentType, type ExecutionContext, nonRetryable } from '../../agent-type';
import { CircuitBreakers } from '../../outbound/circuit-breakers';
import { failureForStatus, OutboundHttpClient } from '../../outbound/outbound-http.client';

export interface LlmAgentConfig {
  baseUrl: string;
  model: string;
  apiKey?: string;
  systemPrompt?: string;
  temperature?: number;
  maxTokens?: number;
  timeoutMs: number;
}

type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };
export type LlmInput = { prompt: string } | { messages: ChatMessage[] };

export interface LlmOutput {
  text: string;
  model: string;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
  finishReason: string | null;
}

interface ChatCompletion {
  model?: string;
  choices?: { message?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
}

@Injectable()
export class LlmAgentType implements AgentType<LlmInput, LlmAgentConfig, LlmOutput> {
  readonly type = 'llm';
  readonly description = 'Chat completions from any OpenAI-compatible endpoint (POST {baseUrl}/chat/completions).';
  readonly usesCircuitBreaker = true;
  readonly configSchema = {
    type: 'object',
    required: ['baseUrl', 'model'],
    additionalProperties: false,
    // The API key is sent to this endpoint only; a new baseUrl needs it again.
    'x-secret-target': '/baseUrl',
    properties: {
      baseUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2000 },
      model: { type: 'string', minLength: 1, maxLength: 200 },
      apiKey: { type: 'string', minLength: 1, maxLength: 500, writeOnly: true },
      systemPrompt: { type: 'string', maxLength: 20_000 },
      temperature: { type: 'number', minimum: 0, maximum: 2 },
      maxTokens: { type: 'integer', minimum: 1, maximum: 1_000_000 },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 600_000, default: 60_000 },
    },
  };
  readonly inputSchema = {
    oneOf: [
      {
        type: 'object',
        required: ['prompt'],
        additionalProperties: false,
        properties: { prompt: { type: 'string', minLength: 1, maxLength: 200_000 } },
      },
      {
        type: 'object',
        required: ['messages'],
        additionalProperties: false,
        properties: {
          messages: {
            type: 'array',
            minItems: 1,
            maxItems: 500,
            items: {
              type: 'object',
              required: ['role', 'content'],
              additionalProperties: false,
              properties: { role: { enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } },
            },
          },
        },
      },
    ],
  };
  readonly outputSchema = {
    type: 'object',
    required: ['text', 'model', 'usage', 'finishReason'],
    properties: {
      text: { type: 'string' },
      model: { type: 'string' },
      usage: { type: ['object', 'null'] },
      finishReason: { type: ['string', 'null'] },
    },
  };

  constructor(
    private readonly http: OutboundHttpClient,
    private readonly breakers: CircuitBreakers,
  ) {}

  async execute(ctx: ExecutionContext<LlmInput, LlmAgentConfig>): Promise<LlmOutput> {
    const { config, input } = ctx;
    const messages: ChatMessage[] = [
      ...(config.systemPrompt ? [{ role: 'system' as const, content: config.systemPrompt }] : []),
      ...('messages' in input ? input.messages : [{ role: 'user' as const, content: input.prompt }]),
    ];
    const body = JSON.stringify({
      model: config.model,
      messages,
      ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
      ...(config.maxTokens !== undefined ? { max_tokens: config.maxTokens } : {}),
    });
    return this.breakers.execute(ctx.agentId, async () => {
      const response = await this.http.request({
        url: `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
        },
        body,
        timeoutMs: config.timeoutMs,
        signal: ctx.signal,
      });
      if (response.status < 200 || response.status >= 300) throw failureForStatus(response, 'The model endpoint');
      let completion: ChatCompletion;
      try {
        completion = JSON.parse(response.text) as ChatCompletion;
      } catch {
        throw nonRetryable('BAD_RESPONSE', 'The model endpoint answered with something that is not JSON');
      }
      const choice = completion.choices?.[0];
      if (!choice?.message || typeof choice.message.content !== 'string') {
        throw nonRetryable('BAD_RESPONSE', 'The model endpoint answered without a message');
      }
      const usage = completion.usage;
      return {
        text: choice.message.content,
        model: completion.model ?? config.model,
        usage: usage
          ? {
              promptTokens: usage.prompt_tokens ?? 0,
              completionTokens: usage.completion_tokens ?? 0,
              totalTokens: usage.total_tokens ?? 0,
            }
          : null,
        finishReason: choice.finish_reason ?? null,
      };
    });
  }
}
