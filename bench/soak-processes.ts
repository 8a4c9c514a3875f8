import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { type SoakClock, SoakError } from './soak-clock';
import type { SoakOptions } from './soak-options';
import type { Reaper } from './soak-reaper';

export const ROOT = existsSync(join(__dirname, '..', 'node_modules'))
  ? join(__dirname, '..')
  : join(__dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'src', 'app', 'main.js');

/** One process of the platform (or Redis), its output in a file and, for matching, in memory. */
export interface Proc {
  name: string;
  child: ChildProcess;
  text: () => string;
  exited: Promise<void>;
}

/** What every app process of a run shares: its database, its Redis prefix and its first admin. */
export interface PlatformSettings {
  database: string;
  prefix: string;
  admin: { email: string; password: string };
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port below the ephemeral range, so Redis can be started on it again after a kill. */
async function sparePort(): Promise<number> {
  const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (ephemeralLow - 10_000));
    if (await canListen(port)) return port;
  }
  throw new Error('no free port for Redis');
}

export async function sigkill(proc: Proc): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
  await proc.exited;
}

/**
 * The platform's processes: a Redis server, two API and two worker processes of the built app, each app
 * process in a slot that a restart fills again. Every process started is told to the reaper, and SIGKILLed
 * when this process exits.
 */
export class SoakProcesses {
  /** Slot i's current process; an API's URL once it listens (undefined while it is down). */
  readonly apis: { proc?: Proc; url?: string }[] = [{}, {}];
  readonly workers: { proc?: Proc; upSince?: number }[] = [{}, {}];
  /** Every process started, restarts included. */
  readonly spawned: Proc[] = [];
  redis: Proc | undefined;
  redisPort = 0;
  private readonly live = new Set<ChildProcess>();
  private readonly streams: WriteStream[] = [];
  private readonly generations = new Map<string, number>();
  private readonly jwtSecret = randomBytes(48).toString('base64url');
  private readonly secretsKey = randomBytes(32).toString('hex');
  private readonly killAll = (): void => {
    for (const child of this.live) child.kill('SIGKILL');
  };

  constructor(
    private readonly options: SoakOptions,
    private readonly settings: PlatformSettings,
    private readonly clock: SoakClock,
    private readonly reaper: Reaper,
  ) {
    process.on('exit', this.killAll);
  }

  redisUrl(): string {
    return `redis://127.0.0.1:${this.redisPort}`;
  }

  /** Redis, then the first API (it creates the database and migrates it), then the others on a ready schema. */
  async startAll(): Promise<void> {
    await this.startRedis();
    // A process that cannot start before any chaos has a real problem: it is tried twice, not fifteen times.
    await this.startApp('api', 0, 2);
    await Promise.all([this.startApp('api', 1, 2), this.startApp('worker', 0, 2), this.startApp('worker', 1, 2)]);
    for (const w of this.workers) w.upSince = Date.now();
  }

  async startRedis(): Promise<void> {
    this.redisPort ||= await sparePort();
    const args = ['--port', String(this.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const redis = this.spawn('redis', 'redis-server', [
      ...args,
      '--maxmemory-policy',
      'noeviction',
      '--dir',
      this.options.logDir,
    ]);
    this.redis = redis;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const probe = new Redis(this.redisUrl(), {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        // not up yet
      } finally {
        probe.disconnect();
      }
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${this.redisPort}: ${redis.text()}`);
      await this.clock.pause(100);
    }
  }

  /** Starts an app process until it comes up (it may not while Redis is down), within `tries` tries. */
  async startApp(role: 'api' | 'worker', slot: number, tries = 15): Promise<Proc> {
    const pattern = role === 'api' ? /listening on (http:\/\/[\d.:]+)\/api\/v1/ : /YMERA worker started/;
    let lastError: unknown;
    for (let attempt = 0; attempt < tries; attempt++) {
      const proc = this.spawn(`${role}${slot + 1}`, process.execPath, [MAIN], this.appEnv(role));
      if (role === 'api') this.apis[slot].proc = proc;
      else this.workers[slot].proc = proc;
      try {
        const match = await this.waitForLine(proc, pattern, 90_000);
        if (role === 'api') this.apis[slot].url = match[1];
        return proc;
      } catch (err) {
        if (err instanceof SoakError) throw err;
        lastError = err;
        await sigkill(proc);
        await this.clock.pause(1000);
      }
    }
    throw new Error(`${role}${slot + 1} did not start: ${(lastError as Error).message}`);
  }

  /** SIGKILLs every process still running and waits a little for them to exit. */
  async stopAll(): Promise<void> {
    this.killAll();
    await Promise.race([
      Promise.all([...this.live].map((c) => once(c, 'exit'))),
      sleep(5000, undefined, { ref: false }),
    ]);
    process.off('exit', this.killAll);
  }

  /** Flushes and closes the processes' log files. */
  async closeLogs(): Promise<void> {
    await Promise.all(this.streams.map((s) => new Promise<void>((resolve) => s.end(() => resolve()))));
  }

  private spawn(name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): Proc {
    const generation = (this.generations.get(name) ?? 0) + 1;
    this.generations.set(name, generation);
    const file = createWriteStream(join(this.options.logDir, `${name}.${generation}.log`));
    this.streams.push(file);
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.live.add(child);
    if (child.pid) this.reaper.tell(`pid ${child.pid}`);
    let text = '';
    const collect = (chunk: Buffer): void => {
      file.write(chunk);
      if (text.length < 1_000_000) text += chunk.toString();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, sig) => {
        this.live.delete(child);
        if (child.pid) this.reaper.tell(`gone ${child.pid}`);
        file.write(`\n[soak] exited with ${sig ?? code} at ${this.clock.stamp()}\n`);
        resolve();
      }),
    );
    const proc = { name: `${name}#${generation}`, child, text: () => text, exited };
    this.spawned.push(proc);
    return proc;
  }

  private async waitForLine(proc: Proc, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(proc.text());
      if (match) return match;
      if (proc.child.exitCode !== null || proc.child.signalCode !== null)
        throw new Error(`${proc.name} exited before ${pattern}: ${proc.text().slice(-1500)}`);
      if (Date.now() > deadline) throw new Error(`${proc.name}: no ${pattern} within ${timeoutMs} ms`);
      await this.clock.pause(100);
    }
  }

  private appEnv(role: 'api' | 'worker'): NodeJS.ProcessEnv {
    const { options, settings } = this;
    return {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      // The soak signs up its operator as a newcomer would.
      AUTH_REGISTRATION: 'open',
      APP_ROLE: role,
      HOST: '127.0.0.1',
      PORT: '0',
      METRICS_PORT: '0',
      DATABASE_URL: `${options.pgServer}/${settings.database}`,
      DB_POOL_MAX: '10',
      REDIS_URL: this.redisUrl(),
      REDIS_PREFIX: settings.prefix,
      JWT_SECRET: this.jwtSecret,
      JWT_ACCESS_TTL: '12h',
      SECRETS_KEY: this.secretsKey,
      ADMIN_EMAIL: settings.admin.email,
      ADMIN_PASSWORD: settings.admin.password,
      AGENT_ALLOW_PRIVATE_NETWORKS: 'true',
      RATE_LIMIT_PER_MIN: '100000000',
      RATE_LIMIT_LOGIN_PER_MIN: '100000',
      REQUEST_TIMEOUT_MS: '10000',
      QUEUE_LOCK_DURATION_MS: String(options.lockDurationMs),
      QUEUE_RECONCILE_INTERVAL_MS: String(options.reconcileIntervalMs),
      WORKER_CONCURRENCY: String(options.workerConcurrency),
      LOG_LEVEL: 'warn',
    };
  }
}
