import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import Redis from 'ioredis';
import { sparePort } from './spare-port';
import { waitFor } from './wait-for';

/** A Redis server a test owns, without persistence, on a port of its own that stays the same across restarts. */
export class OwnRedis {
  private port = 0;
  private server?: ChildProcess;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port ||= await sparePort();
    this.server = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitFor(async () => {
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    }, 10_000);
  }

  /** Kills the server: everything it held is gone. */
  async stopEmpty(): Promise<void> {
    const server = this.server;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    server.kill('SIGKILL');
    await once(server, 'exit');
  }

  /** Freezes the server (SIGSTOP): connections stay open and the port accepts more, but nothing is answered. */
  pause(): void {
    this.server?.kill('SIGSTOP');
  }

  /** Lets a frozen server go on (SIGCONT), with what it held and the commands sent to it meanwhile. */
  resume(): void {
    this.server?.kill('SIGCONT');
  }

  /** Kills the server and starts it again, empty, on the same port. */
  async restartEmpty(): Promise<void> {
    await this.stopEmpty();
    await this.start();
  }
}
