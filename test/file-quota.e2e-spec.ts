import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import request from 'supertest';
import { bearer, createUser, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const QUOTA = 4096;
/** About 1,500 bytes of records: two fit in the quota, three do not. */
const FILE = Array.from({ length: 30 }, (_, i) => `${JSON.stringify({ i, pad: 'x'.repeat(30) })}\n`).join('');

describe('FILE_QUOTA_BYTES: what one user’s files may take together', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { FILE_QUOTA_BYTES: String(QUOTA) } });
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t?.close());

  const upload = (user: TestUser) =>
    request(t.http)
      .post('/api/v1/files?name=part.ndjson')
      .set(...bearer(user))
      .set('Content-Type', 'application/x-ndjson')
      .send(FILE);
  /** An upload without Content-Length: the quota is found once the body is in. */
  const streamed = (user: TestUser) =>
    fetch(`${url}/api/v1/files`, {
      method: 'POST',
      headers: { Authorization: bearer(user)[1], 'Content-Type': 'application/x-ndjson' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(FILE));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
  const stored = async (user: TestUser) =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM files WHERE created_by = $1`, [user.id]))[0].n as number;
  const leftovers = () => readdirSync(join(t.env.config.files.dir, 'tmp'));

  it('refuses the upload that would pass it with 413, announced or streamed, keeping nothing; others keep theirs', async () => {
    expect(Buffer.byteLength(FILE) * 2).toBeLessThanOrEqual(QUOTA);
    expect(Buffer.byteLength(FILE) * 3).toBeGreaterThan(QUOTA);
    const op = await createUser(t, 'operator');
    const first = await upload(op).expect(201);
    await upload(op).expect(201);
    const refused = await upload(op).expect(413);
    expect(refused.body.error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('FILE_QUOTA_BYTES'),
    });
    const late = await streamed(op);
    expect(late.status).toBe(413);
    expect(await stored(op)).toBe(2);
    expect(leftovers()).toEqual([]);

    // Another user has a quota of their own; a deleted file frees its room.
    const other = await createUser(t, 'operator');
    await upload(other).expect(201);
    await request(t.http)
      .delete(`/api/v1/files/${first.body.data.id}`)
      .set(...bearer(op))
      .expect(204);
    await upload(op).expect(201);
  });

  it('lets uploads that finish together pass it by none of them', async () => {
    const op = await createUser(t, 'operator');
    const results = await Promise.all(Array.from({ length: 6 }, () => streamed(op)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 413, 413, 413, 413]);
    expect(await stored(op)).toBe(2);
    expect(leftovers()).toEqual([]);
  });

  it('counts uploads in flight as their bytes come: one held open leaves room only for what is left', async () => {
    const op = await createUser(t, 'operator');
    // An upload sends 3,000 bytes of records and holds its body open.
    const part = FILE + FILE.slice(0, 3000 - Buffer.byteLength(FILE));
    const records = part.slice(0, part.lastIndexOf('\n') + 1);
    let finish!: () => void;
    const held = fetch(`${url}/api/v1/files`, {
      method: 'POST',
      headers: { Authorization: bearer(op)[1], 'Content-Type': 'application/x-ndjson' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(records));
          finish = () => controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    // Once its bytes are in (its file under way holds them: they passed the count first), a second upload that
    // fits the quota alone but not beside them is refused while they are still in flight (before, each was
    // written whole and only the later one to finish refused). Sent earlier, the second would be in flight
    // itself and the held one refused instead: one of the two, whichever comes second.
    const tmp = join(t.env.config.files.dir, 'tmp');
    const heldIn = () => leftovers().some((name) => statSync(join(tmp, name)).size === Buffer.byteLength(records));
    for (let tries = 0; !heldIn() && tries < 200; tries += 1) await new Promise((r) => setTimeout(r, 50));
    expect(heldIn()).toBe(true);
    const second = await upload(op);
    expect(second.status).toBe(413);
    expect(second.body.error.message).toContain('FILE_QUOTA_BYTES');
    finish();
    expect((await held).status).toBe(201);
    // Done, its bytes count as a file: what is left takes no second file of this size.
    await upload(op).expect(413);
    expect(await stored(op)).toBe(1);
    expect(leftovers()).toEqual([]);
  });

  it('survives a client gone while its quota is checked: nothing is left of the upload, and the next one is stored', async () => {
    const op = await createUser(t, 'operator');
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    const audited = async () =>
      (
        await t.dataSource.query(
          `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'file.create' AND outcome = 'failure' AND actor_id = $1`,
          [op.id],
        )
      )[0].n as number;
    for (let i = 0; i < 3; i += 1) {
      // The quota's read waits on a lock meanwhile, so the client is gone before the body is read at all.
      const lock = t.dataSource.createQueryRunner();
      await lock.connect();
      await lock.startTransaction();
      try {
        await lock.query('LOCK TABLE files IN ACCESS EXCLUSIVE MODE');
        const socket = connect(port, '127.0.0.1');
        await once(socket, 'connect');
        socket.write(
          `POST /api/v1/files?name=gone.ndjson HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${bearer(op)[1]}\r\n` +
            `Content-Type: application/x-ndjson\r\nContent-Length: 50000\r\n\r\n${FILE}`,
        );
        await waitFor(async () => {
          const [{ n }] = await t.dataSource.query(
            `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'files'::regclass`,
          );
          return n > 0;
        }, 10_000);
        socket.destroy();
        await once(socket, 'close');
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await lock.commitTransaction();
        await lock.release();
      }
      await waitFor(async () => (await audited()) === i + 1, 10_000);
    }
    expect(await stored(op)).toBe(0);
    expect(leftovers()).toEqual([]);
    await upload(op).expect(201);
  });
});
