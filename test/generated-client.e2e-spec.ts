import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { mainFlow } from './fixtures/generated-client/main-flow';
import { ADMIN } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const FIXTURES = join(__dirname, 'fixtures', 'generated-client');
const EXPECT_ERROR = /^\s*\/\/ @ts-expect-error\b.*$/;

/**
 * Clients call the API through types generated from the OpenAPI document (openapi-typescript) and openapi-fetch.
 * The served document is turned into those types here, and a script of the main flow must compile against them
 * with `tsc --strict`, while calls the API does not take must not.
 */
describe('a client generated from the served OpenAPI document', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await createTestApp();
    dir = mkdtempSync(join(tmpdir(), 'ymera-client-'));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('type-checks the main flow, and refuses wrong calls', async () => {
    const doc: unknown = (await request(t.http).get('/docs-json').expect(200)).body;
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
    // The same layout as the repository: the scripts import web/src/api/schema, generated as `npm run openapi` does.
    mkdirSync(join(dir, 'web', 'src', 'api'), { recursive: true });
    mkdirSync(join(dir, 'test', 'fixtures', 'generated-client'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    await run(process.execPath, [
      join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'),
      join(dir, 'openapi.json'),
      '--default-non-nullable',
      'false',
      '-o',
      join(dir, 'web', 'src', 'api', 'schema.d.ts'),
    ]);

    // The wrong calls without their @ts-expect-error lines (blank, so line numbers stay): each must fail.
    const expected: number[] = [];
    const wrong = readFileSync(join(FIXTURES, 'wrong-calls.ts'), 'utf8')
      .split('\n')
      .map((line, i) => {
        if (!EXPECT_ERROR.test(line)) return line;
        expected.push(i + 2);
        return '';
      })
      .join('\n');
    expect(expected.length).toBeGreaterThanOrEqual(5);
    const target = join(dir, 'test', 'fixtures', 'generated-client');
    writeFileSync(join(target, 'main-flow.ts'), readFileSync(join(FIXTURES, 'main-flow.ts')));
    writeFileSync(join(target, 'wrong-calls.ts'), wrong);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2023',
          lib: ['es2023'],
          types: ['node'],
          skipLibCheck: true,
        },
        files: ['test/fixtures/generated-client/main-flow.ts', 'test/fixtures/generated-client/wrong-calls.ts'],
      }),
    );

    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', dir, '--strict', '--noEmit', '--pretty', 'false']).then(
      ({ stdout }) => ({ ok: true, stdout }),
      (err: { stdout?: string }) => ({ ok: false, stdout: err.stdout ?? String(err) }),
    );
    const errors = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    // The main flow compiles: no error names it.
    expect(errors.filter((line) => line.includes('main-flow.ts'))).toEqual([]);
    // Every wrong call fails, and nothing else does.
    const lines = errors.map((line) => {
      const at = /wrong-calls\.ts\((\d+),\d+\)/.exec(line);
      return at ? Number(at[1]) : line;
    });
    expect([...new Set(lines)].sort()).toEqual([...expected].sort());
    expect(result.ok).toBe(false);
  }, 120_000);

  it('runs the main flow against the API: arrays are arrays, input and output keep their properties', async () => {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const result = await mainFlow(`http://127.0.0.1:${port}`, ADMIN.email, ADMIN.password);
    expect(result.agentTypes).toEqual(expect.arrayContaining(['calculator', 'http']));
    expect(result.taskInput).toEqual({ expression: '1+2' });
    expect(result.listedTaskIds).toContain(result.taskId);
    expect(Array.isArray(result.attemptNumbers)).toBe(true);
    expect(result.batchTaskIds).toHaveLength(2);
    expect(result.runStatus).toBe('running');
    expect(result.runInput).toEqual({ a: 21 });
  }, 60_000);
});
