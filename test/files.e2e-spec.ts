import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createAgent, settled, submitTask } from './factories/tasks';
import { ADMIN, bearer, createUser, login, type TestUser } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

const MAX = 64 * 1024;

function ndjson(records: object[]): string {
  return records.map((r) => JSON.stringify(r) + '\n').join('');
}

/** Reads a non-JSON body as text. */
function text(res: request.Response, done: (err: Error | null, body: string) => void): void {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => done(null, body));
}

describe('files', () => {
  let t: TestApp;
  let op: TestUser;
  let url: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { FILE_MAX_BYTES: String(MAX) } });
    op = await createUser(t, 'operator');
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t?.close());

  const upload = (user: TestUser, body: string | Buffer, type = 'application/x-ndjson') =>
    request(t.http)
      .post('/api/v1/files?name=orders.ndjson')
      .set(...bearer(user))
      .set('Content-Type', type)
      .send(body);
  const leftovers = () => readdirSync(join(t.env.config.files.dir, 'tmp'));
  const createdEntry = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT action, actor_type AS "actorType", actor_id AS "actorId", details FROM audit_logs
         WHERE resource_id = $1 AND action = 'file.create'`,
        [id],
      )
    )[0] as unknown;

  it('stores an NDJSON upload as it came, with its size, records and SHA-256, and streams it back', async () => {
    const body = ndjson(Array.from({ length: 200 }, (_, i) => ({ i, name: `n${i}` })));
    const res = await upload(op, body).expect(201);
    expect(res.body.data).toEqual({
      id: expect.any(String),
      name: 'orders.ndjson',
      format: 'ndjson',
      uploadedAs: 'application/x-ndjson',
      sizeBytes: Buffer.byteLength(body),
      records: 200,
      sha256: createHash('sha256').update(body).digest('hex'),
      taskId: null,
      createdBy: op.id,
      createdAt: expect.any(String),
    });
    const id = res.body.data.id as string;
    const meta = await request(t.http)
      .get(`/api/v1/files/${id}`)
      .set(...bearer(op))
      .expect(200);
    expect(meta.body.data).toEqual(res.body.data);
    const content = await request(t.http)
      .get(`/api/v1/files/${id}/content`)
      .set(...bearer(op))
      .buffer(true)
      .parse(text)
      .expect(200);
    expect(content.headers['content-type']).toMatch(/^application\/x-ndjson/);
    // A caller's own data: no cache keeps it.
    expect(content.headers['cache-control']).toBe('no-store');
    expect(content.body).toBe(body);
    await t.chainAudit();
    expect(await createdEntry(id)).toEqual({
      action: 'file.create',
      actorType: 'user',
      actorId: op.id,
      details: {
        name: 'orders.ndjson',
        sizeBytes: Buffer.byteLength(body),
        records: 200,
        sha256: res.body.data.sha256,
      },
    });
  });

  it('answers 404 in the envelope for a file whose bytes are gone', async () => {
    const owner = await createUser(t, 'operator');
    const id = (await upload(owner, ndjson([{ a: 1 }])).expect(201)).body.data.id as string;
    rmSync(join(t.env.config.files.dir, `${id}.ndjson`));
    const res = await request(t.http)
      .get(`/api/v1/files/${id}/content`)
      .set(...bearer(owner))
      .expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.body).toMatchObject({ status: 'error', error: { code: 'NOT_FOUND' } });
  });

  it('stores a JSON array of objects as NDJSON', async () => {
    const records = [{ a: 1, s: 'x,]' }, { b: { c: [1, 2] } }];
    const res = await upload(op, JSON.stringify(records, null, 2), 'application/json').expect(201);
    expect(res.body.data).toMatchObject({ records: 2, uploadedAs: 'application/json', format: 'ndjson' });
    const content = await request(t.http)
      .get(`/api/v1/files/${res.body.data.id}/content`)
      .set(...bearer(op))
      .buffer(true)
      .parse(text)
      .expect(200);
    expect(content.body).toBe(ndjson(records));
  });

  it('refuses a file over FILE_MAX_BYTES with 413, announced or streamed, and keeps nothing of it', async () => {
    const big = ndjson(Array.from({ length: 3000 }, (_, i) => ({ i, pad: 'x'.repeat(20) })));
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX);
    const announced = await upload(op, big).expect(413);
    expect(announced.body).toMatchObject({ status: 'error', error: { code: 'PAYLOAD_TOO_LARGE' } });

    // Without a Content-Length the limit is found while the body streams in.
    const chunks = big.match(/[^]{1,8192}/g)!;
    const streamed = await fetch(`${url}/api/v1/files`, {
      method: 'POST',
      headers: { Authorization: bearer(op)[1], 'Content-Type': 'application/x-ndjson' },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ status: 'error', error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(leftovers()).toEqual([]);
  });

  it('refuses content that is not records with a 4xx naming the record, and other types with 415', async () => {
    const bad = await upload(op, '{"a":1}\n{"a":\n').expect(400);
    expect(bad.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: '/1', message: 'a record is not valid JSON' }],
    });
    const latin1 = await upload(op, Buffer.from('{"a":1}\n{"name":"Andr\xe9"}\n', 'latin1')).expect(400);
    expect(latin1.body.error.details).toEqual([{ field: '/1', message: 'the content is not valid UTF-8' }]);
    const notObjects = await upload(op, '[1, 2]', 'application/json').expect(400);
    expect(notObjects.body.error.details).toEqual([{ field: '/0', message: 'every record must be a JSON object' }]);
    const type = await upload(op, 'a,b\n1,2\n', 'text/csv').expect(415);
    expect(type.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    // Records are UTF-8 text, stored as read: another charset, or a compressed body, is not taken as such.
    const utf16 = await upload(op, '{"a":1}\n', 'application/x-ndjson; charset=utf-16').expect(415);
    expect(utf16.body.error.message).toContain('in UTF-8');
    await upload(op, '{"a":1}\n', 'application/x-ndjson; charset=UTF-8').expect(201);
    const gzip = await upload(op, '{"a":1}\n').set('Content-Encoding', 'gzip').expect(415);
    expect(gzip.body.error.message).toBe('Upload the file uncompressed: Content-Encoding "gzip" is not accepted');
    expect(leftovers()).toEqual([]);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM files WHERE created_by = $1`, [op.id]);
    expect(n).toBe(3);
  });

  it('asks for files:write to upload and delete, and shows a file to its owner and admins only', async () => {
    await request(t.http).post('/api/v1/files').set('Content-Type', 'application/x-ndjson').send('{}').expect(401);
    const viewer = await createUser(t, 'viewer');
    expect((await upload(viewer, '{"a":1}\n').expect(403)).body.error.code).toBe('FORBIDDEN');
    const id = (await upload(op, '{"a":1}\n').expect(201)).body.data.id as string;
    await request(t.http)
      .get(`/api/v1/files/${id}`)
      .set(...bearer(viewer))
      .expect(404);
    await request(t.http)
      .get(`/api/v1/files/${id}/content`)
      .set(...bearer(viewer))
      .expect(404);
    const other = await createUser(t, 'operator');
    await request(t.http)
      .delete(`/api/v1/files/${id}`)
      .set(...bearer(other))
      .expect(404);
    const admin = await login(t.http, ADMIN.email, ADMIN.password);
    await request(t.http)
      .get(`/api/v1/files/${id}`)
      .set(...bearer(admin))
      .expect(200);
    const mine = await request(t.http)
      .get('/api/v1/files')
      .set(...bearer(op))
      .expect(200);
    expect(mine.body.data.map((f: { id: string }) => f.id)).toContain(id);
    expect(
      (
        await request(t.http)
          .get('/api/v1/files')
          .set(...bearer(other))
          .expect(200)
      ).body.data,
    ).toEqual([]);

    await request(t.http)
      .delete(`/api/v1/files/${id}`)
      .set(...bearer(op))
      .expect(204);
    await request(t.http)
      .get(`/api/v1/files/${id}`)
      .set(...bearer(op))
      .expect(404);
    expect(readdirSync(t.env.config.files.dir)).not.toContain(`${id}.ndjson`);
    await t.chainAudit();
    const [entry] = await t.dataSource.query(
      `SELECT action FROM audit_logs WHERE resource_id = $1 AND action = 'file.delete'`,
      [id],
    );
    expect(entry).toEqual({ action: 'file.delete' });
  });

  it('a data-processor task reads its records from a file, and writes a large output to a new file', async () => {
    const records = Array.from({ length: 1500 }, (_, i) => ({ i, country: ['DE', 'FR', 'US'][i % 3], amount: i % 10 }));
    const file = (await upload(op, ndjson(records)).expect(201)).body.data.id as string;
    const agent = await createAgent(t, op, {
      type: 'data-processor',
      config: { chunkSize: 100, maxInlineOutputBytes: 2000 },
    });
    const grouped = await submitTask(t, op, {
      agentId: agent.id,
      input: {
        file,
        pipeline: [
          { filter: { where: { field: 'amount', op: 'gt', value: 4 } } },
          { group: { by: 'country', aggregates: { total: { op: 'sum', field: 'amount' }, n: { op: 'count' } } } },
          { sort: { by: 'country' } },
        ],
      },
    });
    const small = await settled(t, op, grouped.id, 30_000);
    expect(small.status).toBe('succeeded');
    expect(small.output).toEqual({
      records: ['DE', 'FR', 'US'].map((country) => {
        const kept = records.filter((r) => r.country === country && r.amount > 4);
        return { country, total: kept.reduce((s, r) => s + r.amount, 0), n: kept.length };
      }),
      stats: expect.objectContaining({ inputCount: 1500, outputCount: 3, chunks: 15, resumedFromChunk: 0 }),
    });

    const selected = await submitTask(t, op, {
      agentId: agent.id,
      input: { file, pipeline: [{ select: { fields: ['i'] } }] },
    });
    const big = await settled(t, op, selected.id, 30_000);
    expect(big.status).toBe('succeeded');
    const output = big.output as { outputFileId: string; records?: unknown };
    expect(output.records).toBeUndefined();
    const meta = await request(t.http)
      .get(`/api/v1/files/${output.outputFileId}`)
      .set(...bearer(op))
      .expect(200);
    expect(meta.body.data).toMatchObject({ records: 1500, taskId: selected.id, createdBy: op.id });
    const content = await request(t.http)
      .get(`/api/v1/files/${output.outputFileId}/content`)
      .set(...bearer(op))
      .buffer(true)
      .parse(text)
      .expect(200);
    expect(content.body).toBe(ndjson(records.map((r) => ({ i: r.i }))));
    expect(createHash('sha256').update(content.body).digest('hex')).toBe(meta.body.data.sha256);
    await t.chainAudit();
    expect(await createdEntry(output.outputFileId)).toEqual({
      action: 'file.create',
      actorType: 'system',
      actorId: null,
      details: {
        name: `${selected.id}-output.ndjson`,
        sizeBytes: Buffer.byteLength(content.body),
        records: 1500,
        taskId: selected.id,
        ownerId: op.id,
      },
    });
  }, 60_000);

  it('takes records or a file in a task input, exactly one; a missing file fails the task at once', async () => {
    const agent = await createAgent(t, op, { type: 'data-processor' });
    for (const input of [{ records: [], file: '00000000-0000-4000-8000-000000000000' }, {}, { file: 'nope' }]) {
      const res = await request(t.http)
        .post('/api/v1/tasks')
        .set(...bearer(op))
        .send({ agentId: agent.id, input });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const task = await submitTask(t, op, {
      agentId: agent.id,
      input: { file: '00000000-0000-4000-8000-000000000000' },
    });
    const done = await settled(t, op, task.id, 30_000);
    expect(done).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'FILE_NOT_FOUND' } });
  }, 60_000);
});
