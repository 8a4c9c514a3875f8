import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { CONSOLE_CSP, consoleHandler } from './console-static';

function appServing(dir: string) {
  const app = express();
  app.use(consoleHandler(dir));
  app.use((_req, res) => res.status(404).json({ status: 'error', error: { code: 'NOT_FOUND' } }));
  return app;
}

describe('the console static handler', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ymera-console-'));
    mkdirSync(join(dir, 'assets'));
    mkdirSync(join(dir, '.vite'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    writeFileSync(join(dir, '.vite', 'manifest.json'), '{}');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves index.html for console routes, deep links included, revalidated and under the console CSP', async () => {
    for (const path of ['/', '/tasks/123', '/sign-in?next=%2Fagents']) {
      const res = await request(appServing(dir)).get(path).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('<div id="root">');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe');
  });

  it('caches hashed assets for a year; other files are revalidated; dotfiles are not served', async () => {
    const asset = await request(appServing(dir)).get('/assets/index-abc123.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await request(appServing(dir)).get('/favicon.svg').expect(200);
    expect(icon.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    await request(appServing(dir)).get('/.vite/manifest.json').expect(404);
  });

  it('answers a missing file with 404 in the envelope, never with the document', async () => {
    for (const path of ['/assets/gone-123.js', '/package.json', '/.env']) {
      const res = await request(appServing(dir)).get(path).expect(404).expect('Content-Type', /json/);
      expect(res.text).not.toContain('<div id="root">');
      expect(res.body).toMatchObject({ status: 'error', error: { code: 'NOT_FOUND', message: 'No such file' } });
    }
  });

  it('leaves the API, docs, health, metrics, the queue board, Socket.IO and non-GET methods alone', async () => {
    for (const path of [
      '/api',
      '/api/v1/nope',
      // In any case: an API path spelt in capitals is the API's 404, not the console's document.
      '/API/V1/TASKS',
      '/Api/v1/tasks',
      '/METRICS',
      '/docs',
      '/docs-json',
      '/health/ready',
      '/metrics',
      '/admin/queues/x',
      // Slashes doubled or encoded: no route, and no 200 page a health check or a client would take for an answer.
      '//api/v1/tasks',
      '/%2Fapi/v1/tasks',
      '//health/ready',
      '///metrics',
      '/%2fdocs-json',
    ]) {
      const res = await request(appServing(dir)).get(path).expect(404);
      expect(res.body).toEqual({ status: 'error', error: { code: 'NOT_FOUND' } });
    }
    await request(appServing(dir)).get('/socket.io/?EIO=4').expect(404);
    await request(appServing(dir)).post('/tasks').expect(404);
  });

  it('without a build answers 503 with a page saying how to build it', async () => {
    const res = await request(appServing(join(dir, 'missing')))
      .get('/tasks')
      .expect(503);
    expect(res.text).toContain('npm run build');
    await request(appServing(join(dir, 'missing')))
      .get('/api/v1/x')
      .expect(404);
  });
});
