import { type SoakClock, SoakError } from './soak-clock';

export interface Answer {
  status: number;
  body: { data?: unknown; error?: unknown } | undefined;
  requestId: string | null;
}

/** The `data` of an answer's body. */
export const data = <T>(answer: Answer | undefined): T => (answer?.body as { data: T }).data;

/**
 * The soak's client of the API: requests alternate between the two APIs (the one that is up, while the
 * other restarts) and are retried as a client would. It counts what it saw; a response it must never see
 * is kept in `unexpected`, and a request it gave up on is a violation.
 */
export class SoakClient {
  readonly counts: Record<string, number> = {
    requests: 0,
    created202: 0,
    replayed200: 0,
    status503: 0,
    status504: 0,
    conflict409: 0,
    rateLimited429: 0,
    connectionErrors: 0,
    clientTimeouts: 0,
    unexpected5xx: 0,
    unexpected4xx: 0,
    retries: 0,
  };
  /** Each with the API and the request id, to find it in that API's log. */
  readonly unexpected: string[] = [];
  private apiTurn = 0;

  constructor(
    private readonly apis: readonly { url?: string }[],
    private readonly clock: SoakClock,
    private readonly violations: string[],
  ) {}

  /**
   * A request retried as a client would: after a 503/504/409/429, a connection error or a timeout, with
   * backoff, bounded in tries and time. Any other 5xx is recorded as a violation (and retried).
   */
  async callWithRetry(
    what: string,
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
    accept: (status: number) => boolean = (s) => s < 300,
  ): Promise<Answer | undefined> {
    const client = this.counts;
    const deadline = Date.now() + 120_000;
    let lastProblem = '';
    for (let attempt = 0; attempt < 40 && Date.now() < deadline; attempt++) {
      this.clock.checkAborted();
      if (attempt > 0) {
        client.retries += 1;
        await this.clock.pause(Math.min(2000, 50 * 2 ** attempt) + Math.floor(Math.random() * 100));
      }
      let answer: Answer & { api: string };
      try {
        answer = await this.call(this.apiTurn++ + attempt, method, path, token, body, headers);
      } catch (err) {
        if (err instanceof SoakError) throw err;
        const e = err as Error & { code?: string; cause?: { code?: string } };
        if (e.name === 'TimeoutError') client.clientTimeouts += 1;
        else client.connectionErrors += 1;
        lastProblem = `${e.name}: ${e.cause?.code ?? e.code ?? e.message}`;
        continue;
      }
      const { status } = answer;
      if (accept(status)) return answer;
      lastProblem = `${status} ${JSON.stringify(answer.body).slice(0, 300)}`;
      if (status === 503) client.status503 += 1;
      else if (status === 504) client.status504 += 1;
      else if (status === 409) client.conflict409 += 1;
      else if (status === 429) client.rateLimited429 += 1;
      else if (status >= 500) {
        client.unexpected5xx += 1;
        this.unexpected.push(
          `${what}: ${method} ${path} on ${answer.api} → ${status} (request id ${answer.requestId}) ${JSON.stringify(answer.body).slice(0, 400)}`,
        );
      } else {
        client.unexpected4xx += 1;
        this.unexpected.push(
          `${what}: ${method} ${path} on ${answer.api} → ${status} (request id ${answer.requestId}) ${JSON.stringify(answer.body).slice(0, 400)}`,
        );
        return undefined;
      }
    }
    this.violations.push(`${what}: gave up after retries (last: ${lastProblem})`);
    return undefined;
  }

  private async call(
    slotHint: number,
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer & { api: string }> {
    // An API that is down (being restarted) has no URL: the other one is asked.
    let slot = slotHint % 2;
    if (!this.apis[slot].url) slot = 1 - slot;
    const url = this.apis[slot].url ?? this.apis[1 - slot].url;
    if (!url) throw Object.assign(new Error('no API is up'), { code: 'NO_API' });
    this.counts.requests += 1;
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    let parsed: Answer['body'];
    try {
      parsed = text ? (JSON.parse(text) as Answer['body']) : undefined;
    } catch {
      parsed = { error: text.slice(0, 300) };
    }
    return { status: res.status, body: parsed, requestId: res.headers.get('x-request-id'), api: `api${slot + 1}` };
  }
}
