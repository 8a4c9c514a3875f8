import {
  type ErrorSchema,
  type FormContextType,
  type RJSFSchema,
  type StrictRJSFSchema,
  type ValidatorType,
} from '@rjsf/utils';

type Schema = Record<string, unknown>;

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function resolve(schema: Schema, root: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  let node: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    node = isObject(node) ? node[segment.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return isObject(node) ? node : {};
}

/**
 * Whether `value` matches `schema`, for the keywords the agent types use. Enough for rjsf to pick the
 * matching `oneOf`/`anyOf` option; the server remains the one that validates a configuration.
 */
export function matches(schemaIn: unknown, value: unknown, root: Schema, depth = 0): boolean {
  if (schemaIn === true || schemaIn === undefined) return true;
  if (schemaIn === false) return false;
  if (!isObject(schemaIn) || depth > 32) return true;
  const schema = resolve(schemaIn, root);
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => t === actual || (t === 'number' && actual === 'integer'))) return false;
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) return false;
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    return false;
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return false;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return false;
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return false;
    if (typeof schema.pattern === 'string') {
      try {
        if (!new RegExp(schema.pattern, 'u').test(value)) return false;
      } catch {
        // A pattern this browser cannot read is left to the server.
      }
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return false;
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) return false;
    if (schema.items !== undefined && !value.every((item) => matches(schema.items, item, root, depth + 1))) {
      return false;
    }
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (Array.isArray(schema.required) && !schema.required.every((key) => typeof key === 'string' && key in value)) {
      return false;
    }
    if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) return false;
    if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties) return false;
    const properties = isObject(schema.properties) ? schema.properties : {};
    for (const key of keys) {
      const own = properties[key];
      if (own !== undefined) {
        if (!matches(own, value[key], root, depth + 1)) return false;
      } else if (schema.additionalProperties !== undefined) {
        if (!matches(schema.additionalProperties, value[key], root, depth + 1)) return false;
      }
    }
  }
  if (Array.isArray(schema.allOf) && !schema.allOf.every((s) => matches(s, value, root, depth + 1))) return false;
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s) => matches(s, value, root, depth + 1))) return false;
  if (Array.isArray(schema.oneOf) && schema.oneOf.filter((s) => matches(s, value, root, depth + 1)).length !== 1) {
    return false;
  }
  return true;
}

/**
 * rjsf's validator without code generation: Ajv compiles schemas with `new Function`, which the console's CSP
 * (`script-src 'self'`, no 'unsafe-eval') refuses. The form is sent unvalidated (`noValidate`) and the
 * server's answer is shown on the fields; this only lets rjsf choose between `oneOf`/`anyOf` options.
 */
export function createCspSafeValidator<
  T = unknown,
  S extends StrictRJSFSchema = RJSFSchema,
  F extends FormContextType = Record<string, unknown>,
>(): ValidatorType<T, S, F> {
  return {
    validateFormData: () => ({ errors: [], errorSchema: {} as ErrorSchema<T> }),
    isValid: (schema, formData, rootSchema) => matches(schema, formData, rootSchema as Schema),
    rawValidation: () => ({ errors: [], validationError: undefined }),
  };
}
