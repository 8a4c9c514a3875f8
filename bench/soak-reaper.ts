import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A detached process that outlives the soak if the soak is killed outright (SIGKILL, a test runner's
 * timeout): when its stdin closes without `done`, it SIGKILLs every process the soak said it started and
 * still runs, and drops the soak's database. Lines on stdin: `pid <n>`, `gone <n>`, `db <server> <name>`, `done`.
 */
const REAPER = `
const { Client } = require(process.argv[1]);
const pids = new Set();
let server, db, done = false, buffer = '';
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  for (let i = buffer.indexOf('\\n'); i >= 0; i = buffer.indexOf('\\n')) {
    const [command, a, b] = buffer.slice(0, i).split(' ');
    buffer = buffer.slice(i + 1);
    if (command === 'pid') pids.add(Number(a));
    else if (command === 'gone') pids.delete(Number(a));
    else if (command === 'db') [server, db] = [a, b];
    else if (command === 'done') done = true;
  }
});
process.stdin.on('end', async () => {
  if (done) process.exit(0);
  setTimeout(() => process.exit(1), 15000).unref();
  for (const pid of pids) try { process.kill(pid, 'SIGKILL'); } catch {}
  if (db) {
    const client = new Client({ connectionString: server + '/postgres', connectionTimeoutMillis: 5000 });
    try { await client.connect(); await client.query('DROP DATABASE IF EXISTS "' + db + '" WITH (FORCE)'); } catch {}
    await client.end().catch(() => {});
  }
  process.exit(0);
});
`;

/** The reaper of one run: told of each process as it starts and exits, and of the run's database. */
export class Reaper {
  private readonly child: ChildProcess;

  /** `pgModule`: where the reaper loads `pg` from, to drop the database. */
  constructor(pgModule: string) {
    this.child = spawn(process.execPath, ['-e', REAPER, pgModule], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    this.child.unref();
    (this.child.stdin as unknown as { unref(): void }).unref();
    this.child.stdin!.on('error', () => undefined);
  }

  tell(line: string): void {
    if (this.child.stdin!.writable) this.child.stdin!.write(`${line}\n`);
  }

  /** The run cleaned up after itself: the reaper exits without killing or dropping anything. */
  done(): void {
    this.tell('done');
    this.child.stdin!.end();
  }
}
