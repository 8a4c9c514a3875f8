import { Injectable } from '@nestjs/common';
import { type AgentType, type ExecutionContext } from '../../agent-type';
import type { ErrorDetail } from '../../../common/errors/app.error';
import { CircuitBreakers } from '../../outbound/circuit-breakers';
import { serverSentEvents } from '../../outbound/event-stream';
import { failureForStatus, OutboundHttpClient } from '../../outbound/outbound-http.client';
import { hasUserInfo } from '../../outbound/url-user-info';
import { completionOutput, type LlmOutput, streamedOutput } from './chat-completion';

export type { LlmOutput } from './chat-completion';

export interface LlmAgentConfig {
  baseUrl: string;
  model: string;
  apiKey?: string;
  systemPrompt?: string;
  temperature?: number;
  maxTokens?: number;
  timeoutMs: number;
  /** Asks for a streamed answer (the default); false sends today's plain request. */
  stream?: boolean;
}

/**
 * What a config's baseUrl must be besides what the schema says: no credentials in it, where every reader of the
 * agent would see them (the key is `apiKey`, kept secret).
 */
export function checkLlmAgentConfig(config: Pick<LlmAgentConfig, 'baseUrl'>): ErrorDetail[] {
  return hasUserInfo(config.baseUrl)
    ? [{ field: '/baseUrl', message: 'must not carry credentials (user:password@): put the key in apiKey' }]
    : [];
}

type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };
export type LlmInput = { prompt: string } | { messages: ChatMessage[] };

@Injectable()
export class LlmAgentType implements AgentType<LlmInput, LlmAgentConfig, LlmOutput> {
  readonly type = 'llm';
  readonly description =
    'Chat completions from any OpenAI-compatible endpoint (POST {baseUrl}/chat/completions), streamed by default.';
  readonly usesCircuitBreaker = true;
  readonly outboundTarget = '/baseUrl';
  readonly configSchema = {
    type: 'object',
    required: ['baseUrl', 'model'],
    additionalProperties: false,
    // The API key is sent to this endpoint only; a new baseUrl needs it again.
    'x-secret-target': '/baseUrl',
    properties: {
      baseUrl: {
        title: 'Base URL',
        description: 'An OpenAI-compatible endpoint',
        type: 'string',
        format: 'uri',
        pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
        maxLength: 2000,
      },
      model: { title: 'Model', type: 'string', minLength: 1, maxLength: 200 },
      apiKey: { title: 'API key', type: 'string', minLength: 1, maxLength: 500, writeOnly: true },
      systemPrompt: { title: 'System prompt', type: 'string', maxLength: 20_000 },
      temperature: { title: 'Temperature', type: 'number', minimum: 0, maximum: 2 },
      maxTokens: { title: 'Max tokens', type: 'integer', minimum: 1, maximum: 1_000_000 },
      timeoutMs: { title: 'Timeout (ms)', type: 'integer', minimum: 100, maximum: 600_000, default: 60_000 },
      stream: { title: 'Stream', description: 'Output as it is produced', type: 'boolean', default: true },
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

  checkConfig(config: LlmAgentConfig): ErrorDetail[] {
    return checkLlmAgentConfig(config);
  }

  constructor(
    private readonly http: OutboundHttpClient,
    private readonly breakers: CircuitBreakers,
  ) {}

  /**
   * Streams unless the config says `stream: false`: the text reaches live clients as it is written (through
   * `ctx.outputDelta`), and the output is the same as a plain request's. A server that ignores `stream` and
   * answers with one JSON document is read as such. The timeout covers the whole answer, and cancelling
   * closes the connection at once.
   */
  async execute(ctx: ExecutionContext<LlmInput, LlmAgentConfig>): Promise<LlmOutput> {
    const { config, input } = ctx;
    const stream = config.stream !== false;
    const messages: ChatMessage[] = [
      ...(config.systemPrompt ? [{ role: 'system' as const, content: config.systemPrompt }] : []),
      ...('messages' in input ? input.messages : [{ role: 'user' as const, content: input.prompt }]),
    ];
    const body = JSON.stringify({
      model: config.model,
      messages,
      ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
      ...(config.maxTokens !== undefined ? { max_tokens: config.maxTokens } : {}),
      // Usage comes in a last chunk only when asked for.
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    });
    return this.breakers.execute(ctx.agentId, async () => {
      const response = await this.http.open({
        url: `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: stream ? 'text/event-stream, application/json' : 'application/json',
          ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
        },
        body,
        timeoutMs: config.timeoutMs,
        signal: ctx.signal,
      });
      if (response.status < 200 || response.status >= 300) {
        throw failureForStatus({ ...response, text: await response.text() }, 'The model endpoint');
      }
      if (stream && isEventStream(response.headers['content-type'])) {
        return streamedOutput(serverSentEvents(response.body), config.model, (text) => ctx.outputDelta(text));
      }
      return completionOutput(await response.text(), config.model);
    });
  }
}

function isEventStream(contentType: string | string[] | undefined): boolean {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return value?.split(';')[0].trim().toLowerCase() === 'text/event-stream';
}
