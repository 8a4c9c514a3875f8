import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sparePort } from './spare-port';

const BIN = join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().pop() ?? '', 'bin');

/** A throwaway PostgreSQL server this test owns (its own data directory and port), run as the postgres user. */
export class OwnPostgres {
  private port = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), 'ymera-pg-'));

  get serverUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  /** Runs a server command; a failure says what the command and the server's log said. */
  private asPostgres(command: string, args: string[]): void {
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], { stdio: 'pipe' });
    } catch (error) {
      const output = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      const logFile = join(this.dir, 'log');
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
      throw new Error(`${command} ${args.at(-1) ?? ''} failed (port ${this.port}): ${output}\n${log}`, {
        cause: error,
      });
    }
  }

  /** Creates the cluster and picks the port it will always listen on. */
  async init(): Promise<void> {
    this.port = await sparePort();
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
