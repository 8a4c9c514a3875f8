import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { bearer, createUser, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

/**
 * FILES_DIR on a file system of its own, 256 KiB, which the test fills and makes read-only (a tmpfs: the tests run
 * as root, as CI does).
 */
describe('files on a full or read-only FILES_DIR', () => {
  const mountPoint = mkdtempSync(join(tmpdir(), 'ymera-files-full-'));
  const filesDir = join(mountPoint, 'files');
  let t: TestApp;
  let op: TestUser;

  beforeAll(async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint]);
    t = await createTestApp({ env: { FILES_DIR: filesDir } });
    op = await createUser(t, 'operator');
  });
  afterAll(async () => {
    try {
      await t?.close();
    } finally {
      execFileSync('umount', ['-l', mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  const records = (n: number) =>
    Array.from({ length: n }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(90) })).join('\n');
  const upload = (body: string) =>
    request(t.http)
      .post('/api/v1/files?name=orders.ndjson')
      .set(...bearer(op))
      .set('Content-Type', 'application/x-ndjson')
      .send(body);

  it('answers an upload the disk cannot hold with 503 naming FILES_DIR, keeps nothing of it, and takes one that fits', async () => {
    const full = await upload(records(4000));
    expect(full.status).toBe(503);
    expect(full.body).toMatchObject({
      status: 'error',
      error: {
        code: 'SERVICE_UNAVAILABLE',
        message: 'File storage is not available (FILES_DIR: ENOSPC, the disk is full)',
      },
    });
    expect(readdirSync(join(filesDir, 'tmp'))).toEqual([]);
    expect(await t.dataSource.query('SELECT count(*)::int AS n FROM files')).toEqual([{ n: 0 }]);
    await upload(records(100)).expect(201);
  });

  it('answers an upload to a read-only FILES_DIR with 503, and takes uploads again once it is writable', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    try {
      const refused = await upload(records(10));
      expect(refused.status).toBe(503);
      expect(refused.body.error.message).toBe(
        'File storage is not available (FILES_DIR: EROFS, the file system is read-only)',
      );
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mountPoint]);
    }
    await upload(records(10)).expect(201);
  });
});
