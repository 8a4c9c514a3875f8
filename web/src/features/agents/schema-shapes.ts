/**
 * How the console reads an agent type's JSON Schemas for what they ask: the object an input or output is (the
 * schema itself, or the first way of giving it that a `oneOf` offers), each field's type, and an empty value of
 * that type for the operator to fill in.
 */

export type Schema = Record<string, unknown>;

const isObject = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The object schema with properties that `schema` describes: itself, or the first such branch of a `oneOf`/`anyOf`. */
export function objectShape(schema: Schema | undefined): { properties: Schema; required: string[] } | undefined {
  if (!schema) return undefined;
  const branches = [...asList(schema.oneOf), ...asList(schema.anyOf)].filter(isObject);
  if (isObject(schema.properties)) {
    // `oneOf: [{required: ['records']}, {required: ['file']}]`: the first way of giving what it needs.
    const required = asStrings(schema.required).length
      ? asStrings(schema.required)
      : asStrings(branches.find((b) => asStrings(b.required).length)?.required);
    return { properties: schema.properties, required };
  }
  for (const branch of branches) {
    const shape = objectShape(branch);
    if (shape) return shape;
  }
  return undefined;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asStrings(value: unknown): string[] {
  return asList(value).filter((v): v is string => typeof v === 'string');
}

/** The JSON type a property schema names first (`type: ['string', 'null']` is a string). */
export function typeOf(schema: unknown): string | undefined {
  if (!isObject(schema)) return undefined;
  const type = Array.isArray(schema.type) ? (schema.type as unknown[])[0] : schema.type;
  if (typeof type === 'string') return type === 'integer' ? 'number' : type;
  return isObject(schema.properties) ? 'object' : undefined;
}

/** A value of the field's type for the operator to replace: its default or first example, or an empty one. */
export function placeholder(schema: unknown): unknown {
  if (isObject(schema)) {
    if ('default' in schema) return schema.default;
    if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  }
  switch (typeOf(schema)) {
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return '';
  }
}

/** A starting input: the fields the schema requires (its first way of giving them), each an empty value. */
export function inputSkeleton(schema: Schema | undefined): Record<string, unknown> {
  const shape = objectShape(schema);
  return Object.fromEntries((shape?.required ?? []).map((name) => [name, placeholder(shape?.properties[name])]));
}

/** The ways of giving an input a `oneOf` offers, each as its required fields (`{prompt}`, `{messages}`). */
export function inputWays(schema: Schema | undefined): string[] {
  if (!schema) return [];
  return asList(schema.oneOf)
    .filter(isObject)
    .map((branch) => asStrings(branch.required))
    .filter((required) => required.length > 0)
    .map((required) => `{${required.join(', ')}}`);
}
