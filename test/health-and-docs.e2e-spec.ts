import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI } from 'openapi-types';
import request from 'supertest';
import { createTestApp, TestApp, TestEnv } from './utils/test-app';

describe('health probes and the OpenAPI document', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports live, and ready with every component up, in Terminus format', async () => {
    const live = await request(t.http).get('/health/live').expect(200);
    expect(live.body.status).toBe('ok');
    // A probe's answer is never a cached one.
    expect(live.headers['cache-control']).toBe('no-store');
    const ready = await request(t.http).get('/health/ready').expect(200);
    expect(ready.body).toEqual(
      expect.objectContaining({
        status: 'ok',
        details: expect.objectContaining({
          database: expect.objectContaining({ status: 'up' }),
          redis: expect.objectContaining({ status: 'up' }),
          migrations: expect.objectContaining({ status: 'up' }),
          queues: expect.objectContaining({ status: 'up' }),
        }),
      }),
    );
    await request(t.http).get('/health').expect(200);
  });

  it('serves a valid OpenAPI 3 document describing the envelope and error responses', async () => {
    const res = await request(t.http).get('/docs-json').expect(200);
    const doc = res.body as OpenAPI.Document & { openapi: string; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['ErrorEnvelopeDto', 'ResponseMetaDto']),
    );
    expect(Object.keys(doc.paths ?? {})).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
    await request(t.http).get('/docs').expect(200).expect('Content-Type', /html/);
  });

  it("serves the Swagger UI's assets where its page links them, and sends its other addresses to that page", async () => {
    const page = await request(t.http).get('/docs').expect(200);
    const links = [...page.text.matchAll(/(?:href|src)="([^"]+)"/g)].map(([, link]) => link);
    expect(links).toEqual(expect.arrayContaining(['./docs/swagger-ui.css', './docs/swagger-ui-init.js']));
    // As a browser resolves them against the page's address.
    for (const link of links) await request(t.http).get(new URL(link, 'http://host/docs').pathname).expect(200);
    // Its other addresses go to it: a page there with the same links would load nothing (/docs/docs/… is a 404).
    await request(t.http).get('/docs/').expect(301).expect('Location', '/docs');
    await request(t.http).get('/docs/index.html').expect(301).expect('Location', '/docs');
    await request(t.http).get('/docs/?tag=tasks').expect(301).expect('Location', '/docs?tag=tasks');
  });
});

describe('readiness when a dependency is down', () => {
  let env: TestEnv;
  let t: TestApp;

  beforeAll(async () => {
    env = new TestEnv();
    await env.prepare();
    // Same database, but Redis on a port where nothing listens.
    const broken = new TestEnv({
      DATABASE_URL: env.config.database.url,
      REDIS_URL: 'redis://127.0.0.1:1',
      APP_ROLE: 'api',
    });
    t = await createTestApp({ shared: broken });
  });
  afterAll(async () => {
    await t?.close();
    await env?.destroy();
  });

  it('answers 503 and names the component that is down', async () => {
    const res = await request(t.http).get('/health/ready').expect(503);
    expect(res.body.status).toBe('error');
    expect(res.body.details.redis.status).toBe('down');
    expect(res.body.details.database.status).toBe('up');
    await request(t.http).get('/health/live').expect(200);
  });
});
