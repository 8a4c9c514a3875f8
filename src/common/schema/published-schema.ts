import { CONDITION_SCHEMA } from '../conditions/condition';
import type { JsonSchema } from './schema-validator';

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** The shared schemas the server's validator knows by `$id`, and that agent types reference (`ymera:condition`). */
const SHARED: Record<string, JsonSchema> = { [CONDITION_SCHEMA.$id]: CONDITION_SCHEMA };

function collectRefs(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, found);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const ref = (value as JsonSchema).$ref;
  if (typeof ref === 'string' && ref in SHARED && !found.has(ref)) {
    found.add(ref);
    collectRefs(SHARED[ref], found);
  }
  for (const child of Object.values(value)) collectRefs(child, found);
}

/**
 * A schema as the API publishes it: the 2020-12 dialect, and the shared schemas it references embedded under
 * `$defs` (each keeps its `$id`, so `$ref: "ymera:condition"` resolves within the document). A client can then
 * validate everything the server does, without knowing the server's schemas.
 */
export function publishedSchema(schema: JsonSchema): JsonSchema {
  const found = new Set<string>();
  collectRefs(schema, found);
  if (found.size === 0) return { $schema: JSON_SCHEMA_DIALECT, ...schema };
  const defs = Object.fromEntries([...found].map((id) => [id.replace(/^ymera:/, ''), SHARED[id]]));
  const own = (schema.$defs ?? {}) as JsonSchema;
  return { $schema: JSON_SCHEMA_DIALECT, ...schema, $defs: { ...own, ...defs } };
}
