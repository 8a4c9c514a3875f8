import { Injectable } from '@nestjs/common';
import { SecretsCipher } from '../common/crypto/secrets-cipher';
import { type ErrorDetail, ValidationFailedError } from '../common/errors/app.error';
import type { JsonSchema } from '../common/schema/schema-validator';

export const SECRET_MASK = '********';
/**
 * The config schema keyword naming (as a JSON pointer into the config) the field that says where the
 * type sends its secrets, e.g. `"/url"`. Every secret is bound to the value it had when the secret was
 * given: it is only ever sent there.
 */
export const SECRET_TARGET = 'x-secret-target';

type Config = Record<string, unknown>;
/** A secret at rest, and the target (normalised) it was given for; legacy values carry none. */
type Sealed = { $sealed: string; for?: string };
type Path = string[];

function isSealed(value: unknown): value is Sealed {
  return typeof value === 'object' && value !== null && typeof (value as Sealed).$sealed === 'string';
}

const isObject = (value: unknown): value is Config =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const jsonPointer = (path: Path) =>
  path.map((key) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

function at(config: unknown, path: Path): unknown {
  let node = config;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  return node;
}

/**
 * The schema of each secret in `config`: a property marked `writeOnly`, or any value of an object whose
 * `additionalProperties` is (an http agent's header values), at any depth.
 */
function mapSecrets(config: Config, schema: JsonSchema, fn: (value: unknown, path: Path) => unknown, path: Path = []) {
  const copy: Config = { ...config };
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const others = isObject(schema.additionalProperties) ? (schema.additionalProperties as JsonSchema) : undefined;
  for (const [key, value] of Object.entries(config)) {
    const sub = Object.hasOwn(properties, key) ? properties[key] : others;
    if (!sub || value === undefined) continue;
    if (sub.writeOnly === true) copy[key] = fn(value, [...path, key]);
    else if (isObject(value) && (sub.properties || sub.additionalProperties)) {
      copy[key] = mapSecrets(value, sub, fn, [...path, key]);
    }
  }
  return copy;
}

/** Whether the schema declares any secret (named or as the values of an open object). */
export function hasSecrets(schema: JsonSchema): boolean {
  const properties = Object.values((schema.properties ?? {}) as Record<string, JsonSchema>);
  const others = isObject(schema.additionalProperties) ? [schema.additionalProperties as JsonSchema] : [];
  return [...properties, ...others].some((sub) => sub.writeOnly === true || hasSecrets(sub));
}

/**
 * Where the config sends its secrets, normalised so that spellings of one URL compare equal (scheme and
 * host case, default port, fragment). Any other difference (host, port, path, query) is another target.
 */
export function secretTargetOf(config: Config, schema: JsonSchema): string | undefined {
  const pointer = schema[SECRET_TARGET];
  if (typeof pointer !== 'string') return undefined;
  const value = at(config, pointer.split('/').slice(1));
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    url.hash = '';
    return url.href;
  } catch {
    return value;
  }
}

/**
 * Secret fields of agent configs: sealed with AES-256-GCM at rest, shown as "********", kept as they are
 * when a client sends the mask back, and bound to the config's target (`x-secret-target`): the mask
 * keeps a secret only for the target it was given for, and a task never sends it anywhere else.
 */
@Injectable()
export class AgentSecrets {
  constructor(private readonly cipher: SecretsCipher) {}

  /** Seals the plain secrets, each bound to the config's current target; sealed ones stay as they are. */
  seal(config: Config, schema: JsonSchema): Config {
    if (hasSecrets(schema) && typeof schema[SECRET_TARGET] !== 'string') {
      throw new Error(`An agent type with secrets must name their target (${SECRET_TARGET})`);
    }
    const target = secretTargetOf(config, schema);
    return mapSecrets(config, schema, (value) =>
      isSealed(value) ? value : { $sealed: this.cipher.encrypt(JSON.stringify(value)), for: target },
    );
  }

  /** Every secret decrypted, wherever it was given for: only to merge a new config with the current one. */
  private unseal(config: Config, schema: JsonSchema): Config {
    return mapSecrets(config, schema, (value) =>
      isSealed(value) ? (JSON.parse(this.cipher.decrypt(value.$sealed)) as unknown) : value,
    );
  }

  /**
   * The config a task runs with: secrets decrypted, except any bound to another target than the config's
   * own, which are left out (and named in `withheld`, as JSON pointers).
   */
  forRun(sealed: Config, schema: JsonSchema): { config: Config; withheld: string[] } {
    const target = secretTargetOf(sealed, schema);
    const withheld: string[] = [];
    const config = mapSecrets(sealed, schema, (value, path) => {
      if (!isSealed(value)) return value;
      if (value.for !== undefined && value.for !== target) {
        withheld.push(jsonPointer(path));
        return undefined;
      }
      return JSON.parse(this.cipher.decrypt(value.$sealed)) as unknown;
    });
    return { config, withheld };
  }

  mask(config: Config, schema: JsonSchema): Config {
    return mapSecrets(config, schema, () => SECRET_MASK);
  }

  /**
   * Where the new config carries the mask, the current (decrypted) secret stays, provided it was given
   * for the new config's target. A mask with no stored secret behind it, or bound to another target (the
   * url changed), is refused: the secret must be sent again, or left out.
   */
  keepMasked(next: Config, currentSealed: Config, schema: JsonSchema, base = '/config'): Config {
    const current = this.unseal(currentSealed, schema);
    const target = secretTargetOf(next, schema);
    const errors: ErrorDetail[] = [];
    const merged = mapSecrets(next, schema, (value, path) => {
      if (value !== SECRET_MASK) return value;
      const stored = at(currentSealed, path);
      const field = `${base}${jsonPointer(path)}`;
      if (!isSealed(stored)) {
        errors.push({ field, message: 'is the mask, but there is no stored secret to keep' });
      } else if ((stored.for ?? secretTargetOf(currentSealed, schema)) !== target) {
        errors.push({
          field,
          message: `must be sent again (or left out): ${String(schema[SECRET_TARGET])} changed, and the stored secret stays with the target it was given for`,
        });
      }
      return at(current, path);
    });
    if (errors.length) throw new ValidationFailedError(errors, 'The configuration keeps secrets it cannot keep');
    return merged;
  }
}
