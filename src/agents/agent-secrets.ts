import { Injectable } from '@nestjs/common';
import { SecretsCipher } from '../common/crypto/secrets-cipher';
import type { JsonSchema } from '../common/schema/schema-validator';

export const SECRET_MASK = '********';
type Config = Record<string, unknown>;
type Sealed = { $sealed: string };

function isSealed(value: unknown): value is Sealed {
  return typeof value === 'object' && value !== null && typeof (value as Sealed).$sealed === 'string';
}

/** Paths (as key lists) of the `writeOnly` properties of an object schema, nested objects included. */
export function secretPaths(schema: JsonSchema, prefix: string[] = []): string[][] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties).flatMap(([key, sub]) =>
    sub.writeOnly === true ? [[...prefix, key]] : sub.type === 'object' ? secretPaths(sub, [...prefix, key]) : [],
  );
}

/** A copy of `config` with the value at each secret path replaced by `fn(value)` (where there is one). */
function mapSecrets(config: Config, schema: JsonSchema, fn: (value: unknown, path: string[]) => unknown): Config {
  const copy = structuredClone(config);
  for (const path of secretPaths(schema)) {
    let node: Config | undefined = copy;
    for (const key of path.slice(0, -1)) node = node?.[key] as Config | undefined;
    const last = path[path.length - 1];
    if (node && typeof node === 'object' && node[last] !== undefined) node[last] = fn(node[last], path);
  }
  return copy;
}

/**
 * Secret fields of agent configs (`writeOnly` in the type's schema): sealed with AES-256-GCM at rest,
 * shown as "********", and kept as they are when a client sends the mask back unchanged.
 */
@Injectable()
export class AgentSecrets {
  constructor(private readonly cipher: SecretsCipher) {}

  seal(config: Config, schema: JsonSchema): Config {
    return mapSecrets(config, schema, (value) =>
      isSealed(value) ? value : { $sealed: this.cipher.encrypt(JSON.stringify(value)) },
    );
  }

  unseal(config: Config, schema: JsonSchema): Config {
    return mapSecrets(config, schema, (value) =>
      isSealed(value) ? (JSON.parse(this.cipher.decrypt(value.$sealed)) as unknown) : value,
    );
  }

  mask(config: Config, schema: JsonSchema): Config {
    return mapSecrets(config, schema, () => SECRET_MASK);
  }

  /** Where the new config carries the mask, the current (decrypted) secret stays. */
  keepMasked(next: Config, currentSealed: Config, schema: JsonSchema): Config {
    const current = this.unseal(currentSealed, schema);
    return mapSecrets(next, schema, (value, path) => {
      if (value !== SECRET_MASK) return value;
      let node: unknown = current;
      for (const key of path) node = (node as Config | undefined)?.[key];
      return node;
    });
  }
}
