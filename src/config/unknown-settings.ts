import { getMetadataStorage } from 'class-validator';
import { closest, distance } from 'fastest-levenshtein';
import { EnvSchema } from './env.schema';

/** Every setting the platform reads: the fields of {@link EnvSchema}. */
export function settingNames(): string[] {
  const names = getMetadataStorage()
    .getTargetValidationMetadatas(EnvSchema, '', true, false)
    .map((m) => m.propertyName);
  return [...new Set(names)].sort();
}

/** First words of settings that other programs' variables begin with too (`NODE_OPTIONS`). */
const SHARED_WORDS = new Set(['NODE']);
/**
 * How far a name may be from a setting to be taken for it misspelt: a typo (`TASK_RETENTON_DAYS`), not another
 * program's variable that shares a word (Kubernetes' `REDIS_PORT` and `REDIS_SERVICE_HOST`, `APP_NAME`).
 */
const MAX_EDITS = 2;

/**
 * Variables that look like a misspelt setting, which would otherwise be ignored without a word: names that
 * begin with the first word of a setting (`TASK_`, `REDIS_`, …), are not one, and are within {@link MAX_EDITS}
 * edits of one, which is `meant`.
 */
export function unknownSettings(env: NodeJS.ProcessEnv): { name: string; meant: string }[] {
  const names = settingNames();
  const known = new Set(names);
  const words = new Set(names.filter((n) => n.includes('_')).map((n) => n.split('_')[0]));
  for (const word of SHARED_WORDS) words.delete(word);
  return Object.keys(env)
    .filter((name) => !known.has(name) && name.includes('_') && words.has(name.split('_')[0]))
    .sort()
    .map((name) => ({ name, meant: closest(name, names) }))
    .filter(({ name, meant }) => distance(name, meant) <= MAX_EDITS);
}

/** The warning of {@link unknownSettings}: "TASK_RETENTON_DAYS is not a setting … (did you mean …?)". */
export function unknownSettingWarnings(env: NodeJS.ProcessEnv): string[] {
  return unknownSettings(env).map(
    ({ name, meant }) => `${name} is not a setting and is ignored (did you mean ${meant}?); .env.example lists them`,
  );
}
