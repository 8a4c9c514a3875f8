import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser, updateUser } from './factories/users';
import { QUEUE_NAMES } from '../src/jobs/queues';
import { TaskQueue } from '../src/tasks/task-queue';
import { createTestApp, type TestApp } from './utils/test-app';

function boardCookie(res: request.Response): { pair: string; line: string } {
  const line = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((l) => l.startsWith('ymera_board='));
  if (!line) throw new Error('no board cookie');
  return { pair: line.split(';')[0], line };
}

describe('the queue board from a browser: cookie sessions, read-only mode, audited changes', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await login(t.http, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function session(user: TestUser): Promise<string> {
    const res = await request(t.http)
      .post('/api/v1/queues/board-session')
      .set(...bearer(user))
      .expect(200);
    return boardCookie(res).pair;
  }

  async function auditOf(action: string): Promise<{ outcome: string; resource_type: string; resource_id: string }[]> {
    await t.chainAudit();
    return t.dataSource.query(
      `SELECT outcome, resource_type, resource_id, details FROM audit_logs WHERE action = $1 ORDER BY seq`,
      [action],
    );
  }

  it('gives a signed-in admin a short, HttpOnly cookie for the board only', async () => {
    const res = await request(t.http)
      .post('/api/v1/queues/board-session')
      .set(...bearer(admin))
      .expect(200);
    expect(res.body.data).toEqual({ expiresAt: expect.any(String), path: '/admin/queues', readOnly: false });
    const cookie = boardCookie(res);
    expect(cookie.line.split(/;\s*/).slice(1)).toEqual(
      expect.arrayContaining(['Max-Age=600', 'Path=/admin/queues', 'HttpOnly', 'SameSite=Strict']),
    );
    const page = await request(t.http)
      .get('/admin/queues')
      .set('Cookie', cookie.pair)
      .expect(200)
      .expect('Content-Type', /html/);
    // The page loads nothing from elsewhere (its CSP would refuse it): no web fonts from Google.
    expect(page.text).toContain('static/js/');
    expect(page.text).not.toMatch(/fonts\.googleapis|https?:\/\//);
    const queues = await request(t.http).get('/admin/queues/api/queues').set('Cookie', cookie.pair).expect(200);
    // Every queue, as the backlog alerts name them.
    expect(queues.body.queues.map((q: { name: string }) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
    expect(QUEUE_NAMES).toHaveLength(7);
    expect(queues.body.queues[0]).toMatchObject({ readOnlyMode: false });
    expect((await auditOf('queue.board_session'))[0].outcome).toBe('success');
  });

  it('refuses a forged, tampered or missing cookie, and callers without queues:manage', async () => {
    const cookie = await session(admin);
    const [payload, signature] = cookie.slice('ymera_board='.length).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const longer = Buffer.from(JSON.stringify({ ...claims, e: claims.e + 86_400 })).toString('base64url');
    for (const bad of [`ymera_board=${longer}.${signature}`, 'ymera_board=garbage', `ymera_board=${payload}.`]) {
      const res = await request(t.http).get('/admin/queues/api/queues').set('Cookie', bad).expect(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    await request(t.http).get('/admin/queues').expect(401);
    // A browser opening the page (a bookmark, a reload once the session ended) is sent to the console's Queues
    // page, which opens the board again; the board's API and scripts still answer 401.
    const page = (path: string) => request(t.http).get(path).set('Accept', 'text/html,application/xhtml+xml');
    expect((await page('/admin/queues').expect(303)).headers.location).toBe('/queues');
    expect(
      (await page('/admin/queues/queue/tasks').set('Cookie', 'ymera_board=garbage').expect(303)).headers.location,
    ).toBe('/queues');
    await page('/admin/queues/api/queues').expect(401);
    const op = await createUser(t, 'operator');
    expect(
      (
        await page('/admin/queues')
          .set(...bearer(op))
          .expect(303)
      ).headers.location,
    ).toBe('/queues');
    const denied = await request(t.http)
      .post('/api/v1/queues/board-session')
      .set(...bearer(op))
      .expect(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
  });

  it('ends the session when the user is deactivated (as on any change that raises their token version), and on request', async () => {
    const created = await request(t.http)
      .post('/api/v1/users')
      .set(...bearer(admin))
      .send({ email: 'ops-admin@test.local', name: 'Ops', password: 'a long enough password', role: 'admin' })
      .expect(201);
    const other = await login(t.http, 'ops-admin@test.local', 'a long enough password');
    const first = await session(other);
    await request(t.http).get('/admin/queues/api/queues').set('Cookie', first).expect(200);
    await updateUser(t, admin, created.body.data.id, { isActive: false });
    await request(t.http).get('/admin/queues/api/queues').set('Cookie', first).expect(401);

    const cleared = await request(t.http)
      .delete('/api/v1/queues/board-session')
      .set(...bearer(admin))
      .expect(204);
    expect(boardCookie(cleared).line).toMatch(/^ymera_board=;.*Path=\/admin\/queues/);
  });

  it('ends the session with the login it was opened from; another login of the user keeps its own', async () => {
    const user = await createUser(t, 'admin');
    const other = await login(t.http, user.email, user.password);
    const ending = await session(user);
    const staying = await session(other);
    await request(t.http).get('/admin/queues/api/queues').set('Cookie', ending).expect(200);
    await request(t.http).post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    const refused = await request(t.http).get('/admin/queues/api/queues').set('Cookie', ending).expect(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');
    await request(t.http).get('/admin/queues').set('Cookie', ending).expect(401);
    await request(t.http).get('/admin/queues/api/queues').set('Cookie', staying).expect(200);
  });

  it('is read-only for an API key: the board says so and changes are refused and audited', async () => {
    const key = await request(t.http)
      .post('/api/v1/api-keys')
      .set(...bearer(admin))
      .send({ name: 'board', scopes: ['queues:manage'] })
      .expect(201);
    const apiKey: [string, string] = ['X-API-Key', key.body.data.key];
    const queues = await request(t.http)
      .get('/admin/queues/api/queues')
      .set(...apiKey)
      .expect(200);
    expect(queues.body.queues[0]).toMatchObject({ name: 'tasks', readOnlyMode: true });
    const refused = await request(t.http)
      .put('/admin/queues/api/queues/tasks/pause')
      .set(...apiKey)
      .expect(403);
    expect(refused.body.error).toEqual({ code: 'FORBIDDEN', message: 'The queue board is read-only for you' });
    expect(await t.app.get(TaskQueue).queue.isPaused()).toBe(false);
    expect(await auditOf('queue.pause')).toEqual([
      expect.objectContaining({ outcome: 'denied', resource_type: 'queue', resource_id: 'tasks' }),
    ]);
    await request(t.http)
      .post('/api/v1/queues/board-session')
      .set(...apiKey)
      .expect(403);
  });

  it("audits an admin's changes, and takes them by cookie only from the board's own origin", async () => {
    const cookie = await session(admin);
    const crossSite = await request(t.http)
      .put('/admin/queues/api/queues/tasks/pause')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'cross-site')
      .expect(403);
    expect(crossSite.body.error.code).toBe('FORBIDDEN');
    await request(t.http)
      .put('/admin/queues/api/queues/tasks/pause')
      .set('Cookie', cookie)
      .set('Origin', 'https://elsewhere.example')
      .expect(403);
    expect(await t.app.get(TaskQueue).queue.isPaused()).toBe(false);

    await request(t.http)
      .put('/admin/queues/api/queues/tasks/pause')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-origin')
      .expect(200);
    expect(await t.app.get(TaskQueue).queue.isPaused()).toBe(true);
    await request(t.http)
      .put('/admin/queues/api/queues/tasks/resume')
      .set(...bearer(admin))
      .expect(200);

    const agent = await createAgent(t, admin, { type: 'calculator' });
    const task = await submitTask(t, admin, { agentId: agent.id, input: { expression: '1 / 0' }, maxAttempts: 1 });
    await settled(t, admin, task.id);
    await request(t.http)
      .put(`/admin/queues/api/queues/tasks/${task.id}/clean`)
      .set('Cookie', cookie)
      .set('X-Requested-With', 'ymera')
      .expect(204);

    const pauses = await auditOf('queue.pause');
    expect(pauses.map((e) => e.outcome)).toEqual(['denied', 'denied', 'denied', 'success']);
    expect(await auditOf('queue.resume')).toEqual([expect.objectContaining({ outcome: 'success' })]);
    expect(await auditOf('queue.job_clean')).toEqual([
      expect.objectContaining({ outcome: 'success', resource_type: 'job', resource_id: task.id }),
    ]);
  });
  it("shows a failed job's reason, never a stack trace with the server's paths", async () => {
    const agent = await createAgent(t, admin, { type: 'calculator' });
    const task = await submitTask(t, admin, { agentId: agent.id, input: { expression: '1 / 0' }, maxAttempts: 1 });
    expect((await settled(t, admin, task.id)).status).toBe('failed');
    const job = await t.app.get(TaskQueue).queue.getJob(task.id);
    expect(job?.failedReason).toBeTruthy();
    expect(job?.stacktrace).toEqual([]);
    const board = await request(t.http)
      .get('/admin/queues/api/queues?activeQueue=tasks&status=failed')
      .set('Cookie', await session(admin))
      .expect(200);
    const text = JSON.stringify(board.body);
    expect(text).toContain(task.id);
    expect(text).not.toMatch(/\/dist\/|node_modules|\.js:\d+/);
  });
});
