import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type AgentType, type ExecutionContext, nonRetryable } from '../../agent-type';
import type { ErrorDetail } from '../../../common/errors/app.error';
import { hasUserInfo } from '../../outbound/url-user-info';
import { CircuitBreakers } from '../../outbound/circuit-breakers';
import { failureForStatus, OutboundHttpClient } from '../../outbound/outbound-http.client';

export interface HttpAgentConfig {
  url: string;
  method: 'POST' | 'PUT' | 'PATCH';
  headers?: Record<string, string>;
  query?: Record<string, string>;
  timeoutMs: number;
  signingSecret?: string;
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, as a receiver recomputes it. */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Headers the platform or the connection sets: refused in a config (and never sent from an older one). */
const RESERVED_HEADERS =
  /^(host|content-length|content-type|transfer-encoding|connection|keep-alive|proxy-connection|te|trailer|upgrade|x-ymera-.*)$/i;
/** A field name is an RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A field value never carries CR, LF or NUL (each would end the header or the request early). */
const BAD_HEADER_VALUE = /[\r\n\0]/;

/** What a config's url and headers must be besides what the schema says. */
export function checkHttpAgentConfig(config: Pick<HttpAgentConfig, 'url' | 'headers'>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (hasUserInfo(config.url)) {
    problems.push({ field: '/url', message: 'must not carry credentials (user:password@): put them in headers' });
  }
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    const field = `/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!HEADER_NAME.test(name)) problems.push({ field, message: 'is not a valid header name' });
    else if (RESERVED_HEADERS.test(name))
      problems.push({ field, message: 'is set by the platform and cannot be configured' });
    if (BAD_HEADER_VALUE.test(value)) problems.push({ field, message: 'must not contain CR, LF or NUL' });
  }
  return problems;
}

/** The url with the configured (secret) query parameters added after its own. */
export function withQuery(url: string, query: Record<string, string> | undefined): string {
  const entries = Object.entries(query ?? {});
  if (entries.length === 0) return url;
  const target = new URL(url);
  for (const [name, value] of entries) target.searchParams.append(name, value);
  return target.href;
}

@Injectable()
export class HttpAgentType implements AgentType<unknown, HttpAgentConfig, unknown> {
  readonly type = 'http';
  readonly description =
    'A remote agent over HTTP: POSTs {taskId, attempt, input}, signed with X-Ymera-Signature; its JSON answer is the output.';
  readonly usesCircuitBreaker = true;
  readonly outboundTarget = '/url';
  readonly configSchema = {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    // The signing secret and the header values are sent to this url only; a new url needs them again.
    'x-secret-target': '/url',
    properties: {
      url: {
        title: 'URL',
        description: 'Where each task is POSTed',
        type: 'string',
        format: 'uri',
        pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
        maxLength: 2000,
      },
      method: { title: 'Method', enum: ['POST', 'PUT', 'PATCH'], default: 'POST' },
      headers: {
        title: 'Headers',
        description: 'Sent with each call; kept as secrets',
        type: 'object',
        maxProperties: 50,
        // Header values often carry credentials (Authorization): all of them are kept as secrets. Names are
        // RFC 9110 tokens, not set by the platform (Host, Content-Length, …); values have no CR, LF or NUL.
        additionalProperties: { type: 'string', maxLength: 4000, writeOnly: true },
      },
      query: {
        title: 'Query parameters',
        description: 'Added to the URL of each call; kept as secrets (a key some services take in the URL)',
        type: 'object',
        maxProperties: 50,
        propertyNames: { minLength: 1, maxLength: 200 },
        // A credential in the url itself would be shown to every reader of the agent; here it is kept secret.
        additionalProperties: { type: 'string', maxLength: 4000, writeOnly: true },
      },
      timeoutMs: { title: 'Timeout (ms)', type: 'integer', minimum: 100, maximum: 600_000, default: 30_000 },
      signingSecret: {
        title: 'Signing secret',
        description: 'Signs each body (X-Ymera-Signature)',
        type: 'string',
        minLength: 16,
        maxLength: 500,
        writeOnly: true,
      },
    },
  };
  readonly inputSchema = { description: 'Any JSON value, sent as `input`' };
  readonly outputSchema = { description: "The remote agent's JSON answer" };

  checkConfig(config: HttpAgentConfig): ErrorDetail[] {
    return checkHttpAgentConfig(config);
  }

  constructor(
    private readonly http: OutboundHttpClient,
    private readonly breakers: CircuitBreakers,
  ) {}

  async execute(ctx: ExecutionContext<unknown, HttpAgentConfig>): Promise<unknown> {
    const { config } = ctx;
    const extra = Object.entries(config.headers ?? {}).filter(([name]) => !RESERVED_HEADERS.test(name));
    return this.breakers.execute(ctx.agentId, async () => {
      const body = JSON.stringify({ taskId: ctx.taskId, attempt: ctx.attempt, input: ctx.input });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = {
        ...Object.fromEntries(extra),
        'content-type': 'application/json',
        accept: 'application/json',
        'x-ymera-timestamp': timestamp,
      };
      if (config.signingSecret) headers['x-ymera-signature'] = signBody(config.signingSecret, timestamp, body);
      const response = await this.http.request({
        url: withQuery(config.url, config.query),
        method: config.method,
        headers,
        body,
        bodyHeaders: ['x-ymera-signature', 'x-ymera-timestamp'],
        timeoutMs: config.timeoutMs,
        signal: ctx.signal,
      });
      if (response.status < 200 || response.status >= 300) throw failureForStatus(response, 'The remote agent');
      if (response.text.trim() === '') return null;
      try {
        return JSON.parse(response.text) as unknown;
      } catch {
        throw nonRetryable('BAD_RESPONSE', 'The remote agent answered with something that is not JSON');
      }
    });
  }
}
