import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, processEnv, startCommand } from './utils/built-app';
import { sparePort } from './utils/spare-port';
import { TestEnv } from './utils/test-app';
import { waitFor } from './utils/wait-for';

const ROOT = join(__dirname, '..');

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start', () => {
  const env = new TestEnv();

  beforeAll(async () => {
    buildApp();
    await env.prepare();
  }, 120_000);
  afterAll(async () => {
    await env.destroy();
  });

  it('stops the server when npm itself gets SIGTERM (the start script execs node)', async () => {
    const port = await sparePort();
    // Pre-scripts (the build) are skipped: this checks how the server process is started and stopped.
    const npm = startCommand('npm', ['start', '--ignore-scripts'], processEnv(env, { PORT: String(port) }));
    try {
      await npm.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+\/api\/v1/, 90_000);
      expect(await accepts(port)).toBe(true);
      await npm.stop('SIGTERM');
      await waitFor(async () => !(await accepts(port)), 15_000);
      expect(npm.output()).toMatch(/shutdown complete/);
    } finally {
      await npm.stop('SIGKILL');
    }
  }, 120_000);
});

describe('the build step of npm start (scripts/build-if-changed.js)', () => {
  let dir: string;
  const run = () =>
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-if-changed.js')], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
  const builds = () => Number(readFileSync(join(dir, 'builds'), 'utf8').length);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ymera-build-'));
    // A project whose build writes the outputs npm start needs and counts its runs.
    const build = [
      "const fs = require('node:fs');",
      "for (const d of ['dist/src/app', 'dist/src/cli', 'dist/web']) fs.mkdirSync(d, { recursive: true });",
      "fs.writeFileSync('dist/src/app/main.js', ''); fs.writeFileSync('dist/web/index.html', '');",
      "fs.writeFileSync('dist/src/cli/cli.js', 'console.log(`cli ${process.argv.slice(2).join(` `)}`);');",
      "fs.appendFileSync('builds', 'x');",
    ].join('\n');
    writeFileSync(join(dir, 'build.js'), build);
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'p', private: true, scripts: { build: 'node build.js' } }),
    );
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'main.ts'), 'export {};\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the first time, skips when nothing changed, and builds again after a change or a missing output', () => {
    run();
    expect(builds()).toBe(1);
    expect(run()).toMatch(/build: up to date/);
    expect(builds()).toBe(1);

    const later = new Date(Date.now() + 5000);
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const changed = true;\n');
    utimesSync(join(dir, 'src', 'main.ts'), later, later);
    run();
    expect(builds()).toBe(2);

    rmSync(join(dir, 'dist', 'web', 'index.html'));
    run();
    expect(builds()).toBe(3);
    expect(existsSync(join(dir, 'dist', '.build-inputs'))).toBe(true);

    writeFileSync(join(dir, 'src', 'new-file.ts'), 'export {};\n');
    run();
    expect(builds()).toBe(4);
  });

  it('npm run cli builds only when something changed, and prints only what the command prints', () => {
    // The project's own cli script, run from a copy of the build step in the temporary project.
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    mkdirSync(join(dir, 'scripts'));
    copyFileSync(join(ROOT, 'scripts', 'build-if-changed.js'), join(dir, 'scripts', 'build-if-changed.js'));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'p', private: true, scripts: { build: 'node build.js', cli: scripts.cli } }),
    );
    const cli = () =>
      execFileSync('npm', ['run', 'cli', '--silent', '--', '--help'], {
        cwd: dir,
        env: { PATH: process.env.PATH },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    expect(cli()).toBe('cli --help\n');
    expect(builds()).toBe(1);
    expect(cli()).toBe('cli --help\n');
    expect(builds()).toBe(1);
  });

  it('runs the build it finds where there are no sources (the image), for start, cli and migration scripts alike', () => {
    run();
    expect(builds()).toBe(1);
    rmSync(join(dir, 'src'), { recursive: true });
    expect(run()).toMatch(/no sources here/);
    expect(builds()).toBe(1);
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const name of ['start', 'cli', 'migration:run', 'migration:revert', 'migration:check']) {
      const command = name === 'start' ? scripts.prestart : scripts[name];
      expect(`${name}: ${command}`).toMatch(new RegExp(`^${name}: node scripts/build-if-changed\\.js`));
    }
    // Without sources and without a build, nothing can run: said so, with a failure.
    rmSync(join(dir, 'dist'), { recursive: true });
    expect(() => run()).toThrow(/no sources to build from/);
    expect(builds()).toBe(1);
  });

  it('fails when the build fails, and builds again next time', () => {
    writeFileSync(join(dir, 'build.js'), 'process.exit(3);');
    expect(() => run()).toThrow();
    expect(existsSync(join(dir, 'dist', '.build-inputs'))).toBe(false);
  });
});
