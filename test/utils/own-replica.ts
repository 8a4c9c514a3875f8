import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { sparePort } from './spare-port';
import { waitFor } from './wait-for';

const BIN = join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().pop() ?? '', 'bin');

/** One server of the pair: its data directory, port and log. */
class Server {
  port = 0;
  readonly dir: string;

  constructor(readonly name: string) {
    this.dir = mkdtempSync(join(tmpdir(), `ymera-${name}-`));
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  lastLog(): string {
    const file = join(this.dir, 'log');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-20).join('\n') : '';
  }
}

/**
 * A throwaway primary and its streaming replica, both this test's own: a primary with `wal_level=replica`,
 * `pg_basebackup -R` of it into a new directory, and a second `postgres` in hot standby on a spare port.
 * Both run as the postgres user; {@link remove} stops them and deletes their directories.
 */
export class OwnReplica {
  readonly primary = new Server('primary');
  readonly replica = new Server('replica');

  /** Runs a server command; a failure says what the command and the server's log said. */
  private asPostgres(server: Server, command: string, args: string[]): void {
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], { stdio: 'pipe' });
    } catch (error) {
      const output = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`${command} (${server.name}, port ${server.port}) failed: ${output}\n${server.lastLog()}`, {
        cause: error,
      });
    }
  }

  /** Creates the primary, copies it into the replica and starts both; resolves once the replica streams. */
  async start(): Promise<void> {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    for (const server of [this.primary, this.replica]) {
      server.port = await sparePort();
      chownSync(server.dir, uid, gid);
    }
    this.asPostgres(this.primary, 'initdb', ['-D', this.primary.dir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    this.startServer(this.primary, '-c wal_level=replica -c max_wal_senders=4');
    // -R writes standby.signal and primary_conninfo; -X stream copies the WAL made during the copy.
    this.asPostgres(this.replica, 'pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.primary.port),
      '-U',
      'postgres',
      '-D',
      this.replica.dir,
      '-R',
      '-X',
      'stream',
      '--no-sync',
    ]);
    this.startReplica();
    await this.waitUntilStreaming();
  }

  startReplica(): void {
    this.startServer(this.replica, '-c hot_standby=on -c hot_standby_feedback=on');
  }

  /** Stops the replica at once, as a crash would. */
  stopReplica(): void {
    this.asPostgres(this.replica, 'pg_ctl', ['-D', this.replica.dir, '-w', '-m', 'immediate', 'stop']);
  }

  async waitUntilStreaming(timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => {
      const rows = await this.query<{ n: number }>(
        this.primary,
        `SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'`,
      );
      return rows[0].n > 0;
    }, timeoutMs);
  }

  /** Resolves once the replica has replayed everything the primary had written when it was called. */
  async waitUntilCaughtUp(timeoutMs = 30_000): Promise<void> {
    const [{ lsn }] = await this.query<{ lsn: string }>(this.primary, 'SELECT pg_current_wal_lsn()::text AS lsn');
    await waitFor(async () => {
      const [row] = await this.query<{ behind: boolean | null }>(
        this.replica,
        'SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind',
        [lsn],
      );
      return row.behind === false;
    }, timeoutMs);
  }

  /** Commits a transaction on the primary: the replay timestamp the replica's lag is measured from. */
  async commitOnPrimary(): Promise<void> {
    await this.query(this.primary, 'SELECT txid_current()');
  }

  async pauseReplay(): Promise<void> {
    await this.query(this.replica, 'SELECT pg_wal_replay_pause()');
  }

  async resumeReplay(): Promise<void> {
    await this.query(this.replica, 'SELECT pg_wal_replay_resume()');
  }

  /** Runs one statement on a server's `postgres` database (or `database`). */
  async query<T>(server: Server, text: string, values: unknown[] = [], database = 'postgres'): Promise<T[]> {
    const client = new Client({ connectionString: `${server.url}/${database}`, connectionTimeoutMillis: 3000 });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as T[];
    } finally {
      await client.end();
    }
  }

  remove(): void {
    for (const server of [this.replica, this.primary]) {
      try {
        this.asPostgres(server, 'pg_ctl', ['-D', server.dir, '-w', '-m', 'immediate', 'stop']);
      } catch {
        // not running
      }
      rmSync(server.dir, { recursive: true, force: true });
    }
  }

  private startServer(server: Server, settings: string): void {
    this.asPostgres(server, 'pg_ctl', [
      '-D',
      server.dir,
      '-w',
      '-l',
      join(server.dir, 'log'),
      '-o',
      `-p ${server.port} -k ${server.dir} -c listen_addresses=127.0.0.1 -c fsync=off ${settings}`,
      'start',
    ]);
  }
}
