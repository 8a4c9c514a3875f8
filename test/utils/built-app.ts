import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { LoopbackServer } from './loopback-server';
import { createTestApp, type TestApp, TestEnv } from './test-app';

const ROOT = join(__dirname, '..', '..');
let built = false;

/** Compiles the app as `npm start` does (once per test file). */
export function buildApp(): void {
  if (built) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
  });
  built = true;
}

/** The settings of a test environment as the environment of a child process. */
export function processEnv(env: TestEnv, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { config } = env;
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    DATABASE_URL: config.database.url,
    REDIS_URL: config.redis.url,
    REDIS_PREFIX: config.redis.prefix,
    JWT_SECRET: config.auth.jwtSecret,
    SECRETS_KEY: config.secretsKey?.toString('hex'),
    ADMIN_EMAIL: config.auth.adminEmail,
    ADMIN_PASSWORD: config.auth.adminPassword,
    AGENT_ALLOW_PRIVATE_NETWORKS: String(config.agents.allowPrivateNetworks),
    QUEUE_LOCK_DURATION_MS: String(config.queue.lockDurationMs),
    FILES_DIR: config.files.dir,
    LOG_LEVEL: 'info',
    METRICS_PORT: '0',
    ...overrides,
  };
}

/** The JSON lines (pino) among what a process printed, each parsed. */
export function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `node dist/src/app/main.js` with the given environment and collects what it prints. */
export function startProcess(env: NodeJS.ProcessEnv): RunningProcess {
  return startCommand(process.execPath, ['dist/src/app/main.js'], env);
}

/** Starts a command in the repository's root with the given environment and collects what it prints. */
export function startCommand(command: string, args: string[], env: NodeJS.ProcessEnv): RunningProcess {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr.on('data', (c: Buffer) => (text += c.toString()));
  return {
    child,
    output: () => text,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(() => {
          clearInterval(poll);
          reject(new Error(`timed out waiting for ${pattern}:\n${text.slice(-2000)}`));
        }, timeoutMs);
        const poll = setInterval(() => {
          const match = pattern.exec(text);
          if (match) {
            clearInterval(poll);
            clearTimeout(deadline);
            resolve(match);
          } else if (child.exitCode !== null) {
            clearInterval(poll);
            clearTimeout(deadline);
            reject(new Error(`process exited (${child.exitCode}) before ${pattern}:\n${text.slice(-2000)}`));
          }
        }, 50);
      }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

export interface WorkerProcesses {
  /** Starts one more `APP_ROLE=worker` process and resolves once its task worker has started. */
  start(): Promise<RunningProcess>;
  /** SIGKILLs every worker started so far (for afterAll). */
  killAll(): Promise<void>;
}

/** Worker processes of a test environment, with the same settings each (plus `overrides`). */
export function workerProcesses(env: TestEnv, overrides: Record<string, string> = {}): WorkerProcesses {
  const workers: RunningProcess[] = [];
  return {
    async start() {
      const worker = startProcess(processEnv(env, { APP_ROLE: 'worker', ...overrides }));
      workers.push(worker);
      await worker.waitFor(/task worker (\S+) started/);
      return worker;
    },
    async killAll() {
      for (const worker of workers) await worker.stop('SIGKILL');
    },
  };
}

export interface WorkerTestBed {
  /** The test environment: `APP_ROLE=api` and the settings given. */
  env: TestEnv;
  /** Worker processes on `env`, none started yet. */
  workers: WorkerProcesses;
  /** The remote end that the tests' HTTP agents call. */
  remote: LoopbackServer;
  /** Builds `dist/`, starts `remote`, prepares `env` and starts the API in this process on it (for beforeAll). */
  start(): Promise<{ api: TestApp; remoteUrl: string }>;
  /** Kills the workers, closes the API, stops `remote` and removes `env` (for afterAll). */
  stop(): Promise<void>;
}

/**
 * An API app in this process (`APP_ROLE=api`, so it runs no tasks) and real worker processes beside it, on one
 * test environment: for what happens to tasks when a worker process stops or dies.
 */
export function workerTestBed(
  envOverrides: Record<string, string> = {},
  workerOverrides: Record<string, string> = {},
): WorkerTestBed {
  const env = new TestEnv({ APP_ROLE: 'api', ...envOverrides });
  const workers = workerProcesses(env, workerOverrides);
  const remote = new LoopbackServer();
  let api: TestApp | undefined;
  return {
    env,
    workers,
    remote,
    async start() {
      buildApp();
      const remoteUrl = await remote.start();
      await env.prepare();
      api = await createTestApp({ shared: env });
      return { api, remoteUrl };
    },
    async stop() {
      await workers.killAll();
      await api?.close();
      await remote.stop();
      await env.destroy();
    },
  };
}
