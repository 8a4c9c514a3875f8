import type { LookupFunction } from 'node:net';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, type Dispatcher, request } from 'undici';
import { abortError, nonRetryable, retryable } from '../agent-type';
import { NetworkGuard } from './network-guard';

export interface OutboundRequest {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Redirects followed at most (default 5); each hop is checked again. 0: a redirect is the answer, not followed. */
  maxRedirects?: number;
  /**
   * Headers about the body besides `content-type` (its signature): not sent on after a redirect that drops the
   * body (a 303, or a 301 or 302 of a POST, followed as a GET), where they would describe a body that is not sent.
   */
  bodyHeaders?: readonly string[];
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * A response whose body is read as it arrives. Reading it fails as {@link OutboundHttpClient.request} does:
 * CANCELLED or TIMEOUT when the signal fires (the connection is closed at once), NETWORK_ERROR (retryable)
 * when the connection breaks, RESPONSE_TOO_LARGE past 10 MB. Whoever opens one reads it to its end, or calls
 * `text()`, or breaks out of the loop, which closes it.
 */
export interface OutboundStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Buffer>;
  /** The whole body as UTF-8 text. */
  text(): Promise<string>;
}

const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** What of an unwanted body is read, so that a short one leaves its connection to be reused; the rest is cut. */
const DISCARDED_BODY_BYTES = 64 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DESCRIBING_BODY = new Set(['content-type', 'accept']);

/** Only the headers that describe the body and the answer wanted. */
function describingBody(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  return (
    headers && Object.fromEntries(Object.entries(headers).filter(([name]) => DESCRIBING_BODY.has(name.toLowerCase())))
  );
}

/** The headers, less those about a body (`content-type`, and `bodyHeaders`). */
function withoutBody(
  headers: Record<string, string> | undefined,
  bodyHeaders: readonly string[],
): Record<string, string> | undefined {
  const dropped = new Set(['content-type', ...bodyHeaders.map((name) => name.toLowerCase())]);
  return headers && Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped.has(name.toLowerCase())));
}

/** Seconds or an HTTP date, as Retry-After allows; capped at an hour. */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  const seconds = Number(raw);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(raw) - Date.now();
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 3_600_000) : undefined;
}

/** The contract's rule for remote calls: 408, 429 and 5xx are retried, any other 4xx fails at once. */
export function failureForStatus(response: OutboundResponse, what: string): Error {
  const { status } = response;
  const detail = `${what} answered ${status}`;
  if (status === 408 || status === 429 || status >= 500) {
    return retryable(`REMOTE_${status}`, detail, retryAfterMs(response.headers['retry-after']));
  }
  return nonRetryable(`REMOTE_${status}`, detail);
}

/**
 * Outbound HTTP for agents (undici): every connection goes through the {@link NetworkGuard}, redirects are
 * followed by hand so each hop is checked again, time and size are bounded.
 */
@Injectable()
export class OutboundHttpClient implements OnApplicationShutdown {
  private readonly dispatcher: Agent;

  constructor(private readonly guard: NetworkGuard) {
    const guardedLookup: LookupFunction = (hostname, options, callback) => {
      this.guard.resolveAllowed(hostname).then(
        ({ address, family }) => {
          if ((options as { all?: boolean }).all) {
            (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
              { address, family },
            ]);
          } else {
            callback(null, address, family);
          }
        },
        (err: Error) => callback(err as NodeJS.ErrnoException, '', 4),
      );
    };
    this.dispatcher = new Agent({ connect: { lookup: guardedLookup }, keepAliveTimeout: 10_000 });
  }

  /** Sends the request and reads the whole answer. */
  async request(req: OutboundRequest): Promise<OutboundResponse> {
    const response = await this.open(req);
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /**
   * Sends the request and takes its answer's status and headers. The body, which the caller has no use for (a
   * webhook receiver's), is {@link discard}ed: one that trickles is closed at the call's timeout. The status
   * stands whatever becomes of the body.
   */
  async status(req: OutboundRequest): Promise<Omit<OutboundResponse, 'text'>> {
    const { signal, done } = callSignal(req.signal, req.timeoutMs);
    try {
      const { data } = await this.follow(req, signal);
      await discard(data.body, signal);
      return { status: data.statusCode, headers: data.headers };
    } finally {
      done();
    }
  }

  /** Sends the request and returns the answer as soon as its headers arrive, its body to be read as it comes. */
  async open(req: OutboundRequest): Promise<OutboundStream> {
    const { signal, done } = callSignal(req.signal, req.timeoutMs);
    try {
      const response = await this.follow(req, signal);
      return this.streamOf(response.url, response.data, signal, done);
    } catch (err) {
      done();
      throw err;
    }
  }

  /** Sends the request, following redirects; the final answer, its body not yet read. */
  private async follow(
    req: OutboundRequest,
    signal: AbortSignal,
  ): Promise<{ url: URL; data: Dispatcher.ResponseData }> {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw nonRetryable('BAD_URL', 'The URL cannot be called: it does not parse');
    }
    let method = req.method;
    let body = req.body;
    let headers = req.headers;
    const origin = url.origin;
    for (let hop = 0; ; hop += 1) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw nonRetryable('BAD_URL', `Only http and https URLs can be called (got ${url.protocol})`);
      }
      // Literal addresses never reach the lookup, so they are checked here.
      await this.guard.resolveAllowed(url.hostname);
      const response = await this.send(url, method, headers, body, signal);
      const location = response.headers.location;
      if (!REDIRECTS.has(response.statusCode) || typeof location !== 'string' || req.maxRedirects === 0)
        return { url, data: response };
      await discard(response.body, signal);
      if (hop >= (req.maxRedirects ?? 5)) throw nonRetryable('TOO_MANY_REDIRECTS', 'Too many redirects');
      url = new URL(location, url);
      // Configured headers (credentials among them) are for the target's origin only, as fetch does with
      // Authorization: another origin gets the body's description and nothing else.
      if (url.origin !== origin) headers = describingBody(req.headers);
      if (
        response.statusCode === 303 ||
        ((response.statusCode === 301 || response.statusCode === 302) && method !== 'GET')
      ) {
        method = 'GET';
        body = undefined;
        headers = withoutBody(headers, req.bodyHeaders ?? []);
      }
    }
  }

  private async send(
    url: URL,
    method: string,
    headers: Record<string, string> | undefined,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, { method, headers, body, signal, dispatcher: this.dispatcher });
    } catch (err) {
      throw failure(err, url, signal);
    }
  }

  /** The answer, its body read as it comes; `done` once it is read to its end or given up. */
  private streamOf(url: URL, response: Dispatcher.ResponseData, signal: AbortSignal, done: () => void): OutboundStream {
    const body = bounded(url, response.body, signal, done);
    return {
      status: response.statusCode,
      headers: response.headers,
      body,
      text: async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(chunk);
        return Buffer.concat(chunks).toString('utf8');
      },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close();
  }
}

/**
 * A body's chunks, at most 10 MB of them, its failures told as the contract names them. Leaving the loop
 * early (a failure, a break) destroys the body, which closes its connection.
 */
async function* bounded(
  url: URL,
  body: Dispatcher.ResponseData['body'],
  signal: AbortSignal,
  done: () => void,
): AsyncGenerator<Buffer> {
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > MAX_RESPONSE_BYTES) throw nonRetryable('RESPONSE_TOO_LARGE', 'The response is larger than 10 MB');
      yield chunk as Buffer;
    }
  } catch (err) {
    throw failure(err, url, signal, 'Lost the connection to');
  } finally {
    done();
  }
}

/**
 * Reads a body no one needs up to 64 KB, so that a short one leaves its connection to be reused, and closes it;
 * what becomes of it (cut, broken, the signal fired) is no one's concern. undici's `dump` also listens for the
 * error that closing an unfinished body emits, which would otherwise go unhandled.
 */
async function discard(body: Dispatcher.ResponseData['body'], signal: AbortSignal): Promise<void> {
  await body.dump({ limit: DISCARDED_BODY_BYTES, signal }).catch(() => undefined);
}

/**
 * A call's signal: the caller's, and a timeout of its own, until `done`. A timer rather than
 * `AbortSignal.any([signal, AbortSignal.timeout(ms)])`: `any` holds its sources weakly, and a timeout signal that
 * nothing else holds can be collected before it fires (Node 20), leaving a slow answer (a byte every few
 * seconds, which undici's own timeouts allow) unbounded: a delivery held for good.
 */
export function callSignal(outer: AbortSignal, timeoutMs: number): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(outer.reason);
  if (outer.aborted) onAbort();
  else outer.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new DOMException('The call ran past its timeout', 'TimeoutError')),
    timeoutMs,
  );
  timer.unref();
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
    },
  };
}

/** What a failed call is for the task: cancelled or timed out, already classified, or a retryable network error. */
function failure(err: unknown, url: URL, signal: AbortSignal, what = 'Could not reach'): Error {
  if (signal.aborted) return abortError(signal);
  if (err instanceof Error && err.name === 'AgentExecutionError') return err;
  const cause = (err as { cause?: { name?: string } }).cause;
  if (cause?.name === 'AgentExecutionError') return cause as Error;
  return retryable('NETWORK_ERROR', `${what} ${url.host}: ${(err as Error).message}`);
}
