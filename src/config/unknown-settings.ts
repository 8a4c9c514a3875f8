import { getMetadataStorage } from 'class-validator';
import { InvalidConfigError } from './config.errors';
import { EnvSchema } from './env.schema';
import damerauLevenshtein from 'damerau-levenshtein';

/** Every setting the platform reads: the fields of {@link EnvSchema}. */
export function settingNames(): string[] {
  const names = getMetadataStorage()
    .getTargetValidationMetadatas(EnvSchema, '', true, false)
    .map((m) => m.propertyName);
  return [...new Set(names)].sort();
}

/** Variables the platform reads besides the settings: the settings file's path. */
const OTHER_NAMES = ['ENV_FILE'];

/**
 * Settings that, misspelt and so left unset, change what a production process does: it runs on the default
 * database or Redis (created and migrated if missing), in development mode (self-registration open), or stops
 * naming only the setting it looked for.
 */
export const VITAL_SETTINGS = ['DATABASE_URL', 'REDIS_URL', 'NODE_ENV', 'JWT_SECRET', 'SECRETS_KEY'];

/**
 * How many edits a name may be from a setting to be taken for it misspelt: about one in five characters, at
 * most two. Few enough that the machine's own variables stay clear of every setting (`HOME` is two from `HOST`,
 * `PORT0` one from `PORT`, `REDIS_PORT` three from `REDIS_URL`, `NODE_PATH` four from `NODE_ENV`), enough for
 * a letter dropped, doubled, changed or two swapped (`DATABSE_URL`, `REDSI_URL`, `SECRET_KEY`, `NODE_EVN`).
 */
function allowedEdits(setting: string): number {
  return Math.min(2, Math.floor(setting.length / 5));
}

/**
 * Edits (a character inserted, deleted, changed, or two adjacent ones swapped) that turn `a` into `b`: the
 * Damerau-Levenshtein distance, in which a swap is one typo, not two.
 */
export function editDistance(a: string, b: string): number {
  return damerauLevenshtein(a, b).steps;
}

/**
 * Variables that look like a misspelt setting, which would otherwise be ignored without a word: names that are
 * not a setting but are, in capitals, within {@link allowedEdits} of one, which is `meant` (the nearest; the
 * first in order among equally near ones). The typo may be anywhere in the name, its first word included.
 */
export function unknownSettings(env: NodeJS.ProcessEnv): { name: string; meant: string }[] {
  const names = settingNames();
  const known = new Set([...names, ...OTHER_NAMES]);
  const found: { name: string; meant: string }[] = [];
  for (const name of Object.keys(env).sort()) {
    if (known.has(name)) continue;
    const upper = name.toUpperCase();
    let nearest: { meant: string; edits: number } | undefined;
    for (const setting of names) {
      // Lengths further apart than the edits allowed cannot be near: most names are passed over here.
      if (Math.abs(setting.length - upper.length) > allowedEdits(setting)) continue;
      const edits = editDistance(upper, setting);
      if (edits <= allowedEdits(setting) && (!nearest || edits < nearest.edits)) nearest = { meant: setting, edits };
    }
    if (nearest) found.push({ name, meant: nearest.meant });
  }
  return found;
}

/** The warning of {@link unknownSettings}: "TASK_RETENTON_DAYS is not a setting … (did you mean …?)". */
export function unknownSettingWarnings(env: NodeJS.ProcessEnv): string[] {
  return unknownSettings(env).map(
    ({ name, meant }) => `${name} is not a setting and is ignored (did you mean ${meant}?); .env.example lists them`,
  );
}

const isSet = (value: string | undefined): boolean => value !== undefined && value !== '';

/**
 * In production, stops the start when a variable that looks like a misspelt {@link VITAL_SETTINGS} setting is
 * set and that setting is not: a warning among the start-up lines is easily missed, and the process would meanwhile
 * run on the development default (another database, open self-registration). Production is `NODE_ENV=production`,
 * or, with `NODE_ENV` unset, a misspelt `NODE_ENV` saying `production`. When the setting is set too it is the one in
 * effect, and the other is only warned about (it may be another program's variable).
 */
export function assertVitalSettingsSpelt(env: NodeJS.ProcessEnv): void {
  const misspelt = unknownSettings(env).filter(({ name, meant }) => {
    return VITAL_SETTINGS.includes(meant) && isSet(env[name]) && !isSet(env[meant]);
  });
  const production =
    env.NODE_ENV === 'production' ||
    (!isSet(env.NODE_ENV) && misspelt.some(({ name, meant }) => meant === 'NODE_ENV' && env[name] === 'production'));
  const [first] = misspelt;
  if (!production || !first) return;
  throw new InvalidConfigError(
    first.name,
    `is not a setting (did you mean ${first.meant}?), and ${first.meant} is not set: in production that stops ` +
      `the start rather than run without it. Rename ${first.name} to ${first.meant}.`,
  );
}

/**
 * Stops the start when `DATABASE_URL` or `REDIS_URL` is set but empty (a secret that rendered as nothing, a
 * `DATABASE_URL="$X"` with X unset): an empty setting counts as unset elsewhere, and the process would run on the
 * default (the shared local database, created, migrated and given a bootstrap admin if missing). In every
 * environment: leaving it out is how to ask for the default. `REDIS_URL` may be empty beside `REDIS_CLUSTER_NODES`.
 */
export function assertVitalSettingsGiven(env: NodeJS.ProcessEnv): void {
  const empty = (name: string) => env[name] !== undefined && env[name]!.trim() === '';
  const name = ['DATABASE_URL', 'REDIS_URL'].find(
    (setting) => empty(setting) && !(setting === 'REDIS_URL' && isSet(env.REDIS_CLUSTER_NODES)),
  );
  if (!name) return;
  throw new InvalidConfigError(
    name,
    'is set but empty: that stops the start rather than run on the default. Give its value, or leave it out to ' +
      'use the default.',
  );
}

/** What every entry point checks of the environment before anything else: both of the checks above. */
export function assertVitalSettings(env: NodeJS.ProcessEnv): void {
  assertVitalSettingsSpelt(env);
  assertVitalSettingsGiven(env);
}
