import request from 'supertest';
import type { App } from 'supertest/types';

export interface SseEvent {
  type: string | undefined;
  data: Record<string, unknown>;
}

/** Reads a Server-Sent Events stream to its end and returns its events. */
export async function readSse(
  http: App,
  path: string,
  auth: [string, string],
): Promise<{ status: number; contentType: string; events: SseEvent[] }> {
  const res = await request(http)
    .get(path)
    .set(...auth)
    .buffer(true)
    .parse((r, done) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString()));
      r.on('end', () => done(null, text));
    });
  const events = (res.body as string)
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => ({
      type: /event: (\w+)/.exec(block)?.[1],
      data: JSON.parse(/data: (.*)/.exec(block)![1]) as Record<string, unknown>,
    }));
  return { status: res.status, contentType: String(res.headers['content-type']), events };
}
