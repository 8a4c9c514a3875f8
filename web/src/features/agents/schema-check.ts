/**
 * JSON Schema (2020-12) validation without code generation, for the console's forms: Ajv compiles schemas with
 * `new Function`, which the console's CSP (`script-src 'self'`) refuses. It covers the keywords the agent types
 * use and words its messages as the server's Ajv does, so a form shows what the server would say, all at once.
 */
export type Schema = Record<string, unknown>;
export type Path = (string | number)[];
export interface SchemaError {
  path: Path;
  message: string;
  /** Set on a value of the wrong type: the sign of a oneOf/anyOf option that does not fit at all. */
  wrongType?: true;
}

export function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && same(a[k], b[k]));
  }
  return false;
}

const FORMATS: Record<string, RegExp> = {
  uuid: /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i,
  uri: /^[a-z][a-z0-9+.-]*:[^\s]*$/i,
  email: /^[^\s@]+@[^\s@]+$/,
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
};

/** Schemas by `$id` (a document's embedded shared schemas, such as `ymera:condition`). */
function indexIds(value: unknown, ids: Map<string, Schema>, depth = 0): void {
  if (depth > 64) return;
  if (Array.isArray(value)) value.forEach((v) => indexIds(v, ids, depth + 1));
  if (!isObject(value)) return;
  if (typeof value.$id === 'string' && !ids.has(value.$id)) ids.set(value.$id, value);
  for (const child of Object.values(value)) indexIds(child, ids, depth + 1);
}

class Checker {
  private readonly ids = new Map<string, Schema>();
  constructor(private readonly root: Schema) {
    indexIds(root, this.ids);
  }

  private resolve(ref: string): unknown {
    if (!ref.startsWith('#')) return this.ids.get(ref);
    let node: unknown = this.root;
    for (const segment of ref.slice(2).split('/').filter(Boolean)) {
      node = isObject(node) ? node[decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    }
    return node;
  }

  check(schemaIn: unknown, value: unknown, path: Path, depth = 0): SchemaError[] {
    if (schemaIn === false) return [{ path, message: 'is not allowed' }];
    if (!isObject(schemaIn) || depth > 64) return [];
    const schema = schemaIn;
    const errors: SchemaError[] = [];
    const fail = (message: string, at: Path = path) => errors.push({ path: at, message });
    if (typeof schema.$ref === 'string') {
      // A reference this document does not carry is left to the server.
      const target = this.resolve(schema.$ref);
      if (target !== undefined) errors.push(...this.check(target, value, path, depth + 1));
    }
    if (schema.type !== undefined) {
      const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
      const actual = typeOf(value);
      if (!types.some((t) => t === actual || (t === 'number' && actual === 'integer'))) {
        errors.push({ path, message: `must be ${types.join(',')}`, wrongType: true });
        return errors;
      }
    }
    if ('const' in schema && !same(schema.const, value)) fail('must be equal to constant');
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => same(e, value))) {
      fail('must be equal to one of the allowed values');
    }
    if (typeof value === 'number') this.number(schema, value, fail);
    if (typeof value === 'string') this.string(schema, value, fail);
    if (Array.isArray(value)) errors.push(...this.array(schema, value, path, depth, fail));
    if (isObject(value)) errors.push(...this.object(schema, value, path, depth, fail));
    errors.push(...this.combined(schema, value, path, depth, fail));
    return errors;
  }

  private number(schema: Schema, value: number, fail: (message: string) => void): void {
    const n = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
    const [min, max, xmin, xmax, step] = [
      'minimum',
      'maximum',
      'exclusiveMinimum',
      'exclusiveMaximum',
      'multipleOf',
    ].map(n);
    if (min !== undefined && value < min) fail(`must be >= ${min}`);
    if (max !== undefined && value > max) fail(`must be <= ${max}`);
    if (xmin !== undefined && value <= xmin) fail(`must be > ${xmin}`);
    if (xmax !== undefined && value >= xmax) fail(`must be < ${xmax}`);
    if (step !== undefined && step > 0 && !Number.isInteger(value / step)) fail(`must be multiple of ${step}`);
  }

  private string(schema: Schema, value: string, fail: (message: string) => void): void {
    // As Ajv counts: code points, not UTF-16 units.
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) {
      fail(`must NOT have fewer than ${schema.minLength} characters`);
    }
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) {
      fail(`must NOT have more than ${schema.maxLength} characters`);
    }
    if (typeof schema.pattern === 'string' && !matchesPattern(schema.pattern, value)) {
      fail(`must match pattern "${schema.pattern}"`);
    }
    const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
    if (format && !format.test(value)) fail(`must match format "${String(schema.format)}"`);
  }

  private array(schema: Schema, value: unknown[], path: Path, depth: number, fail: (m: string) => void) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      fail(`must NOT have fewer than ${schema.minItems} items`);
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      fail(`must NOT have more than ${schema.maxItems} items`);
    }
    if (schema.uniqueItems === true && value.some((v, i) => value.findIndex((w) => same(v, w)) !== i)) {
      fail('must NOT have duplicate items');
    }
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    return value.flatMap((item, i) =>
      this.check(i < prefix.length ? prefix[i] : schema.items, item, [...path, i], depth + 1),
    );
  }

  /** Errors in the order of the form's fields (the schema's properties), each missing one where it would be. */
  private object(schema: Schema, value: Schema, path: Path, depth: number, fail: (m: string) => void) {
    const errors: SchemaError[] = [];
    const properties = isObject(schema.properties) ? schema.properties : {};
    const present = Object.keys(value).filter((key) => value[key] !== undefined);
    if (typeof schema.minProperties === 'number' && present.length < schema.minProperties) {
      fail(`must NOT have fewer than ${schema.minProperties} properties`);
    }
    if (typeof schema.maxProperties === 'number' && present.length > schema.maxProperties) {
      fail(`must NOT have more than ${schema.maxProperties} properties`);
    }
    const required = new Set(
      Array.isArray(schema.required) ? schema.required.filter((k) => typeof k === 'string') : [],
    );
    for (const key of new Set([...Object.keys(properties), ...required, ...present])) {
      const at = [...path, key];
      const own = properties[key];
      if (value[key] === undefined) {
        // The server fills in defaults before it checks (Ajv's useDefaults): a property with one is never missing.
        if (required.has(key) && !(isObject(own) && 'default' in own))
          errors.push({ path: at, message: 'is required' });
        continue;
      }
      if (isObject(schema.propertyNames)) {
        for (const e of this.check(schema.propertyNames, key, [], depth + 1)) {
          errors.push({ path: at, message: `name ${e.message}` });
        }
      }
      if (key in properties) errors.push(...this.check(own, value[key], at, depth + 1));
      else if (schema.additionalProperties === false) errors.push({ path: at, message: 'is not allowed' });
      else if (isObject(schema.additionalProperties)) {
        errors.push(...this.check(schema.additionalProperties, value[key], at, depth + 1));
      }
    }
    return errors;
  }

  private combined(schema: Schema, value: unknown, path: Path, depth: number, fail: (m: string) => void) {
    const errors: SchemaError[] = [];
    const each = (list: unknown) =>
      Array.isArray(list) ? list.map((s) => this.check(s, value, path, depth + 1)) : undefined;
    for (const branch of each(schema.allOf) ?? []) errors.push(...branch);
    for (const [keyword, exactlyOne] of [
      ['anyOf', false],
      ['oneOf', true],
    ] as const) {
      const branches = each(schema[keyword]);
      if (!branches) continue;
      const passing = branches.filter((b) => b.length === 0).length;
      if (passing === 0) errors.push(...closest(branches, schema[keyword] as unknown[], value, path, keyword));
      else if (exactlyOne && passing > 1) fail('must match exactly one schema in oneOf');
    }
    if (schema.not !== undefined && this.check(schema.not, value, path, depth + 1).length === 0) {
      fail('must NOT be valid');
    }
    if (schema.if !== undefined) {
      const then = this.check(schema.if, value, path, depth + 1).length === 0 ? schema.then : schema.else;
      errors.push(...this.check(then, value, path, depth + 1));
    }
    return errors;
  }
}

/**
 * When no option of a oneOf/anyOf fits: the errors of the one that comes closest, which name the fields to fix,
 * rather than one message for the whole value. Closest is of the value's type, knowing most of its keys, and
 * otherwise the first (as the form shows for a new value).
 */
function closest(branches: SchemaError[][], options: unknown[], value: unknown, path: Path, keyword: string) {
  const wrongType = (errors: SchemaError[]) => errors.some((e) => e.wrongType && e.path.length === path.length);
  const keys = isObject(value) ? Object.keys(value) : [];
  const known = (option: unknown) =>
    isObject(option) && isObject(option.properties) ? keys.filter((k) => k in (option.properties as Schema)).length : 0;
  let best = -1;
  branches.forEach((errors, i) => {
    if (!wrongType(errors) && (best === -1 || known(options[i]) > known(options[best]))) best = i;
  });
  if (best === -1) {
    const message = keyword === 'oneOf' ? 'must match exactly one schema in oneOf' : 'must match a schema in anyOf';
    return [{ path, message }];
  }
  return branches[best];
}

function matchesPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    // A pattern this browser cannot read is left to the server.
    return true;
  }
}

/** Every error of `value` against `schema` (a part of `root`, or `root` itself), as paths into the value. */
export function schemaErrors(
  schema: unknown,
  value: unknown,
  root: Schema = isObject(schema) ? schema : {},
): SchemaError[] {
  const errors = new Checker(root).check(schema, value, []);
  // oneOf/anyOf branches repeat themselves: one message per path and text, as the server says it.
  const seen = new Set<string>();
  return errors
    .filter((e) => {
      const key = `${JSON.stringify(e.path)}|${e.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .map(({ path, message }) => ({ path, message }));
}
