import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().pop() ?? '', 'bin');

/** A throwaway PostgreSQL server this test owns (its own data directory and port), run as the postgres user. */
export class OwnPostgres {
  readonly port = 25_000 + Math.floor(Math.random() * 10_000);
  private readonly dir = mkdtempSync(join(tmpdir(), 'ymera-pg-'));

  get serverUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  private asPostgres(command: string, args: string[]): void {
    execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], { stdio: 'ignore' });
  }

  init(): void {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(this.dir, uid, gid);
    this.asPostgres('initdb', ['-D', this.dir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  }

  start(): void {
    this.asPostgres('pg_ctl', [
      '-D',
      this.dir,
      '-w',
      '-l',
      join(this.dir, 'log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  }

  /** Stops at once, as a crash would. */
  stop(): void {
    this.asPostgres('pg_ctl', ['-D', this.dir, '-w', '-m', 'immediate', 'stop']);
  }

  remove(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
