import { createHash, createSecretKey } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createAgent } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { connectEvents, listeningApp } from './utils/live-socket';
import { openSse, type SseListener } from './utils/sse-listener';
import type { TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

/** An access token stops working the moment the login it was issued for ends, and so do its live connections. */
describe('access tokens of a login that ended', () => {
  let t: TestApp;
  let url: string;
  let agentId: string;
  const sockets: Socket[] = [];
  const streams: SseListener[] = [];

  beforeAll(async () => {
    ({ t, url } = await listeningApp({}));
    agentId = (await createAgent(t, await login(t.http, ADMIN.email, ADMIN.password), { type: 'calculator' })).id;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const stream of streams) stream.close();
    await t?.close();
  });

  const me = (token: string) =>
    request(t.http)
      .get('/api/v1/auth/me')
      .set(...bearer({ accessToken: token }));
  const signIn = (user: TestUser) => login(t.http, user.email, user.password);

  it('refuses an access token at once after its login signs out; another login of the user goes on', async () => {
    const user = await createUser(t, 'viewer');
    const other = await signIn(user);
    await me(user.accessToken).expect(200);
    await me(other.accessToken).expect(200);

    await request(t.http).post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    const refused = await me(user.accessToken).expect(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');
    await me(other.accessToken).expect(200);
  });

  it('refuses every access token of a login once a spent refresh token of it is presented again', async () => {
    const user = await createUser(t, 'viewer');
    const other = await signIn(user);
    const rotated = await request(t.http)
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken })
      .expect(200);
    const newest = rotated.body.data.accessToken as string;
    await me(newest).expect(200);

    await request(t.http).post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    await me(user.accessToken).expect(401);
    await me(newest).expect(401);
    await me(other.accessToken).expect(200);
  });

  it('signs out a login whose refresh is under way: the token that refresh adds is revoked too', async () => {
    const user = await createUser(t, 'viewer');
    const db = t.app.get(DataSource);
    const hash = (token: string): string => createHash('sha256').update(token).digest('hex');
    // A refresh of the login holds its token's lock and has added the next token, not yet committed.
    const refreshing = db.createQueryRunner();
    await refreshing.connect();
    await refreshing.startTransaction();
    const [presented] = (await refreshing.query(
      'SELECT user_id, family_id FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE',
      [hash(user.refreshToken)],
    )) as { user_id: string; family_id: string }[];
    await refreshing.query(
      "INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')",
      [presented.user_id, presented.family_id, hash('the next refresh token')],
    );
    const logout = request(t.http).post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).then();
    const waiting = async (): Promise<boolean> => {
      const [row] = (await db.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      )) as { n: number }[];
      return row.n > 0;
    };
    await waitFor(waiting, 10_000);
    await refreshing.commitTransaction();
    await refreshing.release();
    expect((await logout).status).toBe(204);

    const live = (await db.query(
      'SELECT count(*)::int AS n FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL',
      [presented.family_id],
    )) as { n: number }[];
    expect(live[0].n).toBe(0);
    await me(user.accessToken).expect(401);
  });

  it('signs out a browser login (refresh token in the cookie) the same way', async () => {
    const user = await createUser(t, 'viewer');
    const res = await request(t.http)
      .post('/api/v1/auth/login')
      .set('X-Requested-With', 'ymera')
      .send({ email: user.email, password: user.password, useCookie: true })
      .expect(200);
    const token = res.body.data.accessToken as string;
    await me(token).expect(200);
    await request(t.http)
      .post('/api/v1/auth/logout')
      .set('X-Requested-With', 'ymera')
      .set('Cookie', res.headers['set-cookie'])
      .expect(204);
    await me(token).expect(401);
  });

  it('takes an access token issued before tokens named their login, until it expires', async () => {
    const user = await createUser(t, 'viewer');
    const [, payload] = user.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    expect(claims.sid).toEqual(expect.any(String));
    const jwt = new JwtService({ secret: createSecretKey(Buffer.from(t.env.config.auth.jwtSecret)) });
    const older = jwt.sign(
      { role: claims.role, tv: claims.tv },
      { subject: user.id, issuer: 'ymera', audience: 'ymera-api', expiresIn: 60 },
    );
    await request(t.http).post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    await me(user.accessToken).expect(401);
    await me(older).expect(200);
  });

  it("refuses a token that names another user's login, however well signed", async () => {
    const [user, other] = [await createUser(t, 'viewer'), await createUser(t, 'viewer')];
    const claimsOf = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    const jwt = new JwtService({ secret: createSecretKey(Buffer.from(t.env.config.auth.jwtSecret)) });
    const sign = (sid: unknown) =>
      jwt.sign(
        { role: claimsOf(user.accessToken).role, tv: claimsOf(user.accessToken).tv, sid },
        { subject: user.id, issuer: 'ymera', audience: 'ymera-api', expiresIn: 60 },
      );
    await me(sign(claimsOf(user.accessToken).sid)).expect(200);
    await me(sign(claimsOf(other.accessToken).sid)).expect(401);
  });

  it('ends the Socket.IO client and the event stream opened with a token whose login signs out', async () => {
    const user = await createUser(t, 'viewer');
    const other = await signIn(user);
    const open = async (token: string) => {
      const socket = await connectEvents(url, token);
      sockets.push(socket);
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      expect(((await socket.emitWithAck('subscribe', { agentId })) as { ok: boolean }).ok).toBe(true);
      const stream = await openSse(`${url}/api/v1/agents/${agentId}/events`, token);
      streams.push(stream);
      return { socket, disconnected, stream };
    };
    const ending = await open(user.accessToken);
    const staying = await open(other.accessToken);

    await request(t.http).post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    await expect(ending.disconnected).resolves.toBe('io server disconnect');
    await waitFor(async () => ending.stream.ended);
    await expect(connectEvents(url, user.accessToken)).rejects.toThrow('UNAUTHENTICATED');
    expect(staying.socket.connected).toBe(true);
    expect(staying.stream.ended).toBe(false);
  });
});
