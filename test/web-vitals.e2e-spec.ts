import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { WebVitalsRetention } from '../src/metrics/web-vitals-retention';
import { vitalReport } from '../web/src/app/web-vital-report';
import { createTestApp, type TestApp } from './utils/test-app';

describe('web vitals from browsers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      env: { RATE_LIMIT_FRONTEND_METRICS_PER_MIN: '4', WEB_VITALS_RETENTION_DAYS: '7', TRUST_PROXY: 'true' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const report = (body: object) => request(t.http).post('/api/v1/metrics/frontend').send(body);

  it('accepts a valid report without authentication, stores it and exposes it as a histogram', async () => {
    const res = await report({
      name: 'LCP',
      value: 1234.5,
      id: 'v4-1',
      rating: 'good',
      sessionId: 's-1',
      url: 'https://app.example.com/page',
    }).expect(202);
    expect(res.body.data).toEqual({ accepted: true });
    const rows = await t.dataSource.query(`SELECT name, value, metric_id, url FROM web_vitals`);
    expect(rows).toEqual([{ name: 'LCP', value: 1234.5, metric_id: 'v4-1', url: 'https://app.example.com/page' }]);
    const metrics = await request(t.http).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/frontend_web_vitals_count\{name="LCP"\} 1/);
    await t.chainAudit();
    const audit = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE request_id = $1`, [
      res.headers['x-request-id'],
    ]);
    expect(audit[0].n).toBe(0);
  });

  it('accepts what the console sends (its report of a page with a query string) and keeps the URL without it', async () => {
    const body = vitalReport(
      { name: 'INP', value: 48, id: 'v4-1764000000000-8841', rating: 'good' },
      new URL('http://127.0.0.1:3000/tasks/abc?status=failed#top'),
      randomUUID(),
    );
    // From another address: the tests that follow count on this one's budget.
    await report(body).set('X-Forwarded-For', '198.51.100.20').expect(202);
    const rows = await t.dataSource.query(`SELECT url FROM web_vitals WHERE metric_id = $1`, [body.id]);
    expect(rows).toEqual([{ url: 'http://127.0.0.1:3000/tasks/abc' }]);
  });

  it('keeps only the page of a URL sent with credentials, a query or a fragment', async () => {
    const body = {
      name: 'LCP',
      value: 900,
      id: 'v4-1764000000000-9913',
      url: 'https://user:secret@app.example.com/runs/1?token=abc#access_token=xyz',
    };
    await report(body).set('X-Forwarded-For', '198.51.100.21').expect(202);
    const rows = await t.dataSource.query(`SELECT url FROM web_vitals WHERE metric_id = $1`, [body.id]);
    expect(rows).toEqual([{ url: 'https://app.example.com/runs/1' }]);
    // A host the URL check takes but the WHATWG parser does not: accepted, its page not kept.
    const odd = { ...body, id: 'v4-1764000000000-9914', url: 'http://xn--a.example/page' };
    await report(odd).set('X-Forwarded-For', '198.51.100.21').expect(202);
    const oddRows = await t.dataSource.query(`SELECT url FROM web_vitals WHERE metric_id = $1`, [odd.id]);
    expect(oddRows).toEqual([{ url: null }]);
  });

  it('refuses names outside the list, negative or non-finite values and odd ids or urls', async () => {
    const bad = await report({
      name: 'FPS',
      value: -1,
      id: 'has spaces',
      url: 'javascript:alert(1)',
      extra: true,
    }).expect(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      '/extra',
      '/id',
      '/name',
      '/url',
      '/value',
    ]);
    await report({ name: 'CLS', value: 'NaN', id: 'x' }).expect(400);
    await request(t.http)
      .post('/api/v1/metrics/frontend')
      .set('Content-Type', 'application/json')
      .send('{"name":"CLS","value":1e400,"id":"x"}')
      .expect(400);
  });

  it('has its own rate limit per IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await report({ name: 'CLS', value: 0.01, id: `c-${i}` })).status);
    expect(statuses.at(-1)).toBe(429);
    // The API budget is separate.
    await request(t.http).get('/api/v1/agent-types').expect(401);
  });

  it('prunes reports older than the retention', async () => {
    await t.dataSource.query(
      `INSERT INTO web_vitals (name, value, metric_id, received_at) VALUES ('FCP', 10, 'old', now() - interval '8 days'), ('FCP', 20, 'recent', now() - interval '6 days')`,
    );
    expect(await t.app.get(WebVitalsRetention).prune()).toBe(1);
    const left = await t.dataSource.query(`SELECT metric_id FROM web_vitals WHERE name = 'FCP'`);
    expect(left).toEqual([{ metric_id: 'recent' }]);
  });
});
