import { createHmac } from 'node:crypto';

/** What identifies a SECRETS_KEY without revealing it: an HMAC of a fixed text under the key. */
export function secretsKeyFingerprint(key: Buffer): string {
  return createHmac('sha256', key).update('ymera secrets key fingerprint v1').digest('hex');
}

/**
 * Why this process must not start with `key`: the database's secrets (agent secrets, webhook and hook secrets,
 * MFA seeds) were sealed with another one, which no read or send could open. The first process on a database
 * records its key's fingerprint; every later one must match it. Owns the SQL of `secrets_key_check`.
 */
export async function secretsKeyProblem(
  query: (sql: string, parameters?: unknown[]) => Promise<unknown>,
  key: Buffer,
  /** No SECRETS_KEY was set: `key` is the development key. */
  unset = false,
): Promise<string | undefined> {
  const fingerprint = secretsKeyFingerprint(key);
  await query(`INSERT INTO "secrets_key_check" ("id", "fingerprint") VALUES (1, $1) ON CONFLICT ("id") DO NOTHING`, [
    fingerprint,
  ]);
  const rows = (await query(`SELECT "fingerprint" FROM "secrets_key_check" WHERE "id" = 1`)) as {
    fingerprint: string;
  }[];
  if (rows[0]?.fingerprint === fingerprint) return undefined;
  return (
    (unset
      ? "SECRETS_KEY is not set, and this database's secrets were sealed with a key (agent, webhook and hook " +
        'secrets, MFA seeds): start with that key, as SECRETS_KEY. '
      : "SECRETS_KEY is not the key this database's secrets were sealed with (agent, webhook and hook secrets, " +
        'MFA seeds): start with that key. ') +
    'A database that holds no secrets yet takes a new key once its record is removed ' +
    '(DELETE FROM secrets_key_check).'
  );
}
