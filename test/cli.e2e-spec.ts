import request from 'supertest';
import { type CliIo, runCli, USAGE } from '../src/cli/cli-main';
import { login } from './factories/users';
import { createTestApp, type TestApp } from './utils/test-app';

/** Runs the CLI as `npm run cli -- ...` would, against this file's database, capturing what it prints. */
async function cli(t: TestApp | undefined, argv: string[], extraEnv: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: { ...t?.env.vars, ...extraEnv } };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('operator CLI', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('prints its usage on --help, -h and help, and exits 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const result = await cli(undefined, argv);
      expect(result).toEqual({ code: 0, out: USAGE, err: '' });
    }
    expect(USAGE).toMatch(/create-user --email <email> --role <admin\|operator\|viewer>/);
    expect(USAGE).toMatch(/reset-password --email <email>/);
  });

  it('refuses a wrong command line with exit 2 and says why', async () => {
    expect(await cli(undefined, [])).toMatchObject({ code: 2, err: expect.stringMatching(/^No command given/) });
    expect(await cli(undefined, ['drop-all'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/Unknown command "drop-all"/),
    });
    expect(await cli(undefined, ['create-user', '--email', 'x@y.z'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/needs --role/),
    });
    expect(await cli(undefined, ['create-user', '--email', 'x@y.z', '--role', 'root'])).toMatchObject({ code: 2 });
    expect(await cli(undefined, ['reset-password'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/needs --email/),
    });
    expect(
      await cli(undefined, ['create-admin', '--email', 'x@y.z', '--password', 'on-the-command-line']),
    ).toMatchObject({
      code: 2,
      err: expect.stringMatching(
        /^Unknown option "--password": passwords are never taken as arguments .* set NEW_PASSWORD/,
      ),
    });
  });

  it('neither creates the database a mistyped DATABASE_URL names nor applies migrations the database lacks', async () => {
    const missing = new URL(t.env.config.database.url);
    missing.pathname = `${missing.pathname}_typo`;
    const name = missing.pathname.slice(1);
    await expect(
      cli(t, ['create-user', '--email', 'typo@example.com', '--role', 'viewer'], { DATABASE_URL: missing.toString() }),
    ).rejects.toThrow(`The database "${name}" (DATABASE_URL) does not exist: check DATABASE_URL`);
    expect(await t.dataSource.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).toEqual([]);
    // Set but empty (DATABASE_URL="$X" with X unset): refused, not taken for the default database.
    await expect(
      cli(t, ['create-user', '--email', 'empty@example.com', '--role', 'viewer'], { DATABASE_URL: '' }),
    ).rejects.toThrow('DATABASE_URL is set but empty');

    // The newest migration taken for not applied (a checkout newer than the running processes): refused, not applied.
    const [latest] = await t.dataSource.query('SELECT * FROM migrations ORDER BY "timestamp" DESC LIMIT 1');
    await t.dataSource.query('DELETE FROM migrations WHERE id = $1', [latest.id]);
    try {
      await expect(cli(t, ['reset-password', '--email', 'nobody@example.com'])).rejects.toThrow(
        /lacks 1 migration\(s\) this build needs: run "npm run migration:run" first/,
      );
      expect(await t.dataSource.query('SELECT 1 FROM migrations WHERE name = $1', [latest.name])).toEqual([]);
    } finally {
      await t.dataSource.query('INSERT INTO migrations (id, "timestamp", name) VALUES ($1, $2, $3)', [
        latest.id,
        latest.timestamp,
        latest.name,
      ]);
    }
  });

  it('create-admin makes an admin who can sign in, generating the password when none is given', async () => {
    const result = await cli(t, ['create-admin', '--email', 'Ops@Example.com'], { ADMIN_PASSWORD: '' });
    expect(result.code).toBe(0);
    const password = /with password (\S+) \(shown only this once\)/.exec(result.out)?.[1];
    expect(password).toHaveLength(24);
    const admin = await login(t.http, 'ops@example.com', password!);
    const me = await request(t.http)
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${admin.accessToken}`)
      .expect(200);
    expect(me.body.data.role).toBe('admin');
    // The command chains its audit entry before it closes the database.
    const [entry] = await t.dataSource.query(
      `SELECT actor_type FROM audit_logs WHERE action = 'user.create_admin_cli'`,
    );
    expect(entry.actor_type).toBe('system');
    await expect(cli(t, ['create-admin', '--email', 'ops@example.com'])).rejects.toThrow(/already exists/);
  });

  it('create-user makes a user with the role asked for, with the password from NEW_PASSWORD', async () => {
    const result = await cli(t, ['create-user', '--email', 'viewer@example.com', '--role', 'viewer', '--name', 'Vi'], {
      NEW_PASSWORD: 'a-password-from-env-1',
    });
    expect(result).toMatchObject({ code: 0, out: 'created viewer viewer@example.com' });
    const viewer = await login(t.http, 'viewer@example.com', 'a-password-from-env-1');
    const me = await request(t.http)
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${viewer.accessToken}`)
      .expect(200);
    expect(me.body.data).toMatchObject({ role: 'viewer', name: 'Vi' });
    const [entry] = await t.dataSource.query(`SELECT details FROM audit_logs WHERE action = 'user.create_cli'`);
    expect(entry.details).toMatchObject({ email: 'viewer@example.com', role: 'viewer' });
  });

  it.each([
    ['not an address', 'bad', /Invalid --email: must be an e-mail address/],
    ['a Cyrillic letter for a Latin one', '\u0430dmin@example.com', /Invalid --email: must be ASCII/],
    ['a quoted local part (the same mailbox as unquoted)', '"admin"@example.com', /Invalid --email: must not quote/],
  ])('create-user refuses %s, as the API does, and makes no user', async (_, email, why) => {
    await expect(cli(t, ['create-user', '--email', email, '--role', 'viewer'])).rejects.toThrow(why);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE email = lower($1)`, [email]);
    expect(n).toBe(0);
  });

  it('create-admin and reset-password refuse a password the API refuses', async () => {
    const weak = { NEW_PASSWORD: 'aaaaaaaaaaaaaaaa', ADMIN_PASSWORD: 'aaaaaaaaaaaaaaaa' };
    await expect(cli(t, ['create-admin', '--email', 'weak@example.com'], weak)).rejects.toThrow(
      /Invalid password \(ADMIN_PASSWORD\): password must use at least 5 different characters/,
    );
    await cli(t, ['create-user', '--email', 'kept@example.com', '--role', 'viewer'], {
      NEW_PASSWORD: 'the-kept-password-1',
    });
    await expect(cli(t, ['reset-password', '--email', 'kept@example.com'], { NEW_PASSWORD: 'short' })).rejects.toThrow(
      /Invalid password \(NEW_PASSWORD\): password must be longer than or equal to 12 characters/,
    );
    await login(t.http, 'kept@example.com', 'the-kept-password-1');
  });

  it('reset-password sets a new password, signs the user out everywhere and is audited', async () => {
    await cli(t, ['create-user', '--email', 'lost@example.com', '--role', 'operator'], {
      NEW_PASSWORD: 'the-old-password-1',
    });
    const before = await login(t.http, 'lost@example.com', 'the-old-password-1');

    const result = await cli(t, ['reset-password', '--email', 'LOST@example.com']);
    expect(result.code).toBe(0);
    const password = /with password (\S+) \(shown only this once\)/.exec(result.out)?.[1];
    await request(t.http).get('/api/v1/auth/me').set('Authorization', `Bearer ${before.accessToken}`).expect(401);
    await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: 'lost@example.com', password: 'the-old-password-1' })
      .expect(401);
    await login(t.http, 'lost@example.com', password!);
    const [{ count }] = await t.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_logs WHERE action = 'user.password_reset'`,
    );
    expect(count).toBe(1);

    await expect(cli(t, ['reset-password', '--email', 'nobody@example.com'])).rejects.toThrow(/User not found/);
  });
});
