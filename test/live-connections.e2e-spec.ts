import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { createAgent, submitTask } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { connectEvents, listeningApp } from './utils/live-socket';
import { openSse, type SseListener } from './utils/sse-listener';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const PER_USER = 3;

/**
 * A user holds at most LIVE_CONNECTIONS_PER_USER live connections open on one API process, Socket.IO clients and
 * event streams together: a caller with a valid account cannot pile up connections without bound.
 */
describe('live connections per user', () => {
  let t: TestApp;
  let url: string;
  const open: { close(): void }[] = [];

  beforeAll(async () => {
    ({ t, url } = await listeningApp({ LIVE_CONNECTIONS_PER_USER: String(PER_USER) }));
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await t?.close();
  });

  const socketOf = async (user: TestUser): Promise<Socket> => {
    const socket = await connectEvents(url, user.accessToken);
    open.push(socket);
    return socket;
  };
  const streamOf = async (user: TestUser, path: string): Promise<SseListener> => {
    const stream = await openSse(`${url}${path}`, user.accessToken);
    open.push(stream);
    return stream;
  };
  const refusedSocket = (user: TestUser) =>
    connectEvents(url, user.accessToken).then(
      (socket) => {
        open.push(socket);
        return undefined;
      },
      (err: Error & { data?: unknown }) => err,
    );

  it('refuses the connection over the limit, socket or stream, and takes one again once another closes', async () => {
    const op = await createUser(t, 'operator');
    const agent = await createAgent(t, op, { type: 'calculator' });
    const task = await submitTask(t, op, { agentId: agent.id, input: { expression: '1 + 1' } });

    const first = await socketOf(op);
    await socketOf(op);
    await streamOf(op, `/api/v1/agents/${agent.id}/events`);

    const refused = await refusedSocket(op);
    expect(refused).toBeInstanceOf(Error);
    expect(refused!.message).toBe('RATE_LIMITED');
    expect(refused!.data).toEqual({ code: 'RATE_LIMITED', retryAfter: 30, reason: 'connections' });
    for (const path of [`/api/v1/tasks/${task.id}/events`, `/api/v1/agents/${agent.id}/events`]) {
      const res = await request(t.http)
        .get(path)
        .set(...bearer(op))
        .expect(429);
      expect(res.headers['retry-after']).toBe('30');
      expect(res.body).toMatchObject({
        status: 'error',
        error: {
          code: 'RATE_LIMITED',
          message: expect.stringMatching(/at most 3 per user.*LIVE_CONNECTIONS_PER_USER/),
        },
      });
    }

    // Another user has connections of their own.
    const viewer = await createUser(t, 'viewer');
    expect((await socketOf(viewer)).connected).toBe(true);

    // Once one of the user's connections closes, a new one is taken.
    first.close();
    const again = await waitFor(async () => ((await refusedSocket(op)) === undefined ? true : undefined), 10_000, 100);
    expect(again).toBe(true);
    expect(await refusedSocket(op)).toBeInstanceOf(Error);
  }, 30_000);

  it('holds the limit for connections opened together, and keeps no place for those refused', async () => {
    const op = await createUser(t, 'operator');
    const agent = await createAgent(t, op, { type: 'calculator' });
    const together = () =>
      Promise.allSettled(
        Array.from({ length: PER_USER * 4 }, (_, i) =>
          i % 2
            ? connectEvents(url, op.accessToken)
            : openSse(`${url}/api/v1/agents/${agent.id}/events`, op.accessToken),
        ),
      );
    const first = await together();
    const opened = first.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    open.push(...opened);
    expect(opened.length).toBe(PER_USER);
    for (const r of first) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/RATE_LIMITED|429/);

    // Once they close, every place comes back: as many open together again, no more.
    for (const c of opened) c.close();
    const again = await waitFor(
      async () => {
        const round = await together();
        const ok = round.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        open.push(...ok);
        if (ok.length === PER_USER) return true;
        for (const c of ok) c.close();
        return undefined;
      },
      10_000,
      200,
    );
    expect(again).toBe(true);
  }, 30_000);
});
