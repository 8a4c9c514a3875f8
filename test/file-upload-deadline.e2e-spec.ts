import { readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createUser, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

/** An upload that outlives FILE_UPLOAD_TIMEOUT_MS is answered 504, and nothing of it is stored. */
describe('an upload past its deadline', () => {
  let t: TestApp;
  let op: TestUser;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ env: { APP_ROLE: 'api', FILE_UPLOAD_TIMEOUT_MS: '1000' } });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    op = await createUser(t, 'operator');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  }, 30_000);

  /** Sends `lines` records one every `everyMs`, its length announced; resolves with the answer's status. */
  const trickle = (lines: number, everyMs: number) =>
    new Promise<{ status: number; body: string; sent: Promise<void> }>((resolve, reject) => {
      const text = Array.from({ length: lines }, (_, i) => `{"i":${i}}\n`);
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/files?name=slow.ndjson',
        headers: {
          Authorization: `Bearer ${op.accessToken}`,
          'Content-Type': 'application/x-ndjson',
          'Content-Length': Buffer.byteLength(text.join('')),
        },
      });
      const sent = (async () => {
        for (const line of text) {
          if (req.destroyed) return;
          req.write(line);
          await new Promise((r) => setTimeout(r, everyMs));
        }
        req.end();
      })();
      req.on('error', () => undefined);
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sent }));
      });
      setTimeout(() => reject(new Error('no answer')), 20_000).unref();
    });

  it('is answered 504 and stores nothing, however the rest of the body comes', async () => {
    const { status, body, sent } = await trickle(25, 100);
    expect(status).toBe(504);
    expect(JSON.parse(body).error.code).toBe('TIMEOUT');
    await sent;
    // Time for what the server would still do with the rest of the body.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await t.dataSource.query('SELECT id FROM files WHERE created_by = $1', [op.id])).toEqual([]);
    const kept = (area: string) => {
      try {
        return readdirSync(join(t.env.config.files.dir, area));
      } catch {
        return [];
      }
    };
    expect([...kept('tmp'), ...kept('.').filter((f) => f.endsWith('.ndjson'))]).toEqual([]);
    await t.chainAudit();
    const entries = await t.dataSource.query(
      `SELECT outcome, details->>'error' AS error FROM audit_logs WHERE action = 'file.create' AND actor_id = $1`,
      [op.id],
    );
    expect(entries).toEqual([{ outcome: 'failure', error: 'TIMEOUT' }]);
  }, 30_000);
});
