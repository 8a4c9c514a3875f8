/**
 * JSON Schema (2020-12) validation without code generation, for the console's forms: Ajv compiles schemas with
 * `new Function`, which the console's CSP (`script-src 'self'`) refuses, so @cfworker/json-schema validates.
 * What is the console's own: its errors are worded as the server's Ajv words them, on the field they concern,
 * each problem once, so a form shows what the server would say, all at once.
 */
import { dereference, type OutputUnit, type Schema as LibrarySchema, validate } from '@cfworker/json-schema';
import { JSON_FIELD } from './schema-form';

export type Schema = Record<string, unknown>;
export type Path = (string | number)[];
export interface SchemaError {
  path: Path;
  message: string;
}

export function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON only (`undefined` properties are absent, as in the request the form sends). */
function plain<T>(value: T, replacer?: (key: string, value: unknown) => unknown): T {
  return JSON.parse(JSON.stringify(value ?? null, replacer)) as T;
}

type Lookup = Record<string, LibrarySchema | boolean>;
interface Document {
  lookup: Lookup;
  /** Where the library resolves the document's local references (`#/$defs/…`). */
  base: string;
  copies: WeakMap<object, LibrarySchema>;
}

const documents = new WeakMap<object, Document>();

/**
 * The library indexes a copy of the root schema (it marks what it indexes), by its own `$id` and those of the
 * shared schemas it embeds (`ymera:condition`). The form's JSON-field marker is an `$id` many fields share: it
 * names no schema.
 */
function documentOf(root: Schema): Document {
  let doc = documents.get(root);
  if (!doc) {
    const copy = plain(root, (key, v) => (key === '$id' && v === JSON_FIELD ? undefined : v)) as LibrarySchema;
    const lookup = dereference(copy) as Lookup;
    doc = { lookup, base: String(copy.__absolute_uri__), copies: new WeakMap([[root, copy]]) };
    documents.set(root, doc);
  }
  return doc;
}

/** A part of the root (or an option rjsf derived from one), its local references pointed into the root. */
function schemaIn(doc: Document, schema: Schema): LibrarySchema {
  let copy = doc.copies.get(schema);
  if (!copy) {
    copy = plain(schema, (key, v) => (key === '$ref' && typeof v === 'string' && v.startsWith('#') ? doc.base + v : v));
    doc.copies.set(schema, copy);
  }
  return copy;
}

function segments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Keywords whose next segment in a keyword location names a property or an option, not a keyword. */
const CONTAINERS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas', 'allOf', 'anyOf', 'oneOf']);

interface Located {
  node: unknown;
  parent: unknown;
  /** Under `propertyNames`: the error is about a key, not its value. */
  names: boolean;
}

/** The schema (keyword value) at a keyword location, through the references it went through. */
function schemaAt(schema: LibrarySchema, location: string, lookup: Lookup): Located {
  let node: unknown = schema;
  let parent: unknown;
  let names = false;
  let keyword = true;
  for (const segment of segments(location)) {
    parent = node;
    if (keyword && segment === '$ref' && isObject(node) && typeof node.$ref === 'string') {
      node = lookup[(node as LibrarySchema).__absolute_ref__ ?? node.$ref];
      continue;
    }
    if (keyword && segment === 'propertyNames') names = true;
    keyword = !(keyword && CONTAINERS.has(segment));
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return { node, parent, names };
}

/** An instance location as a path into the value: array indexes as numbers. */
function pathOf(pointer: string, value: unknown): Path {
  let node = value;
  return segments(pointer).map((segment) => {
    const index = Array.isArray(node) ? Number(segment) : undefined;
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
    return index ?? segment;
  });
}

/** The units that only say a part of the schema had errors, which the units after them name. */
const CASCADE = new Set([
  '$ref',
  '$recursiveRef',
  'allOf',
  'if',
  'properties',
  'patternProperties',
  'additionalProperties',
  'unevaluatedProperties',
  'propertyNames',
  'dependentSchemas',
  'items',
  'prefixItems',
  'additionalItems',
  'unevaluatedItems',
]);

/** The keywords that bound a count: on which side, and of what. */
const COUNT_BOUNDS: Record<string, { side: 'fewer' | 'more'; of: string }> = {
  minLength: { side: 'fewer', of: 'characters' },
  maxLength: { side: 'more', of: 'characters' },
  minItems: { side: 'fewer', of: 'items' },
  maxItems: { side: 'more', of: 'items' },
  minProperties: { side: 'fewer', of: 'properties' },
  maxProperties: { side: 'more', of: 'properties' },
};

/** A keyword's error as Ajv words it (the server's `required`, `additionalProperties` and `not` as it does). */
function wording(keyword: string, value: unknown, fallback: string): string {
  const v = String(value);
  const bound = Object.hasOwn(COUNT_BOUNDS, keyword) ? COUNT_BOUNDS[keyword] : undefined;
  if (bound) return `must NOT have ${bound.side} than ${v} ${bound.of}`;
  switch (keyword) {
    case 'type':
      return `must be ${(Array.isArray(value) ? value : [value]).join(',')}`;
    case 'const':
      return 'must be equal to constant';
    case 'enum':
      return 'must be equal to one of the allowed values';
    case 'minimum':
      return `must be >= ${v}`;
    case 'maximum':
      return `must be <= ${v}`;
    case 'exclusiveMinimum':
      return `must be > ${v}`;
    case 'exclusiveMaximum':
      return `must be < ${v}`;
    case 'multipleOf':
      return `must be multiple of ${v}`;
    case 'pattern':
      return `must match pattern "${v}"`;
    case 'format':
      return `must match format "${v}"`;
    case 'uniqueItems':
      return 'must NOT have duplicate items';
    case 'false':
      return 'is not allowed';
    case 'not':
      return isObject(value) && typeof value.description === 'string' ? value.description : 'must NOT be valid';
    case 'oneOf':
      return 'must match exactly one schema in oneOf';
    case 'anyOf':
      return 'must match a schema in anyOf';
    default:
      return fallback;
  }
}

/** A unit, located at its keyword (a `false` schema's unit, at the keyword that applied it). */
type Unit = OutputUnit & { location: string };

const under = (location: string, prefix: string) => location === prefix || location.startsWith(`${prefix}/`);

function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (node, key) => (isObject(node) || Array.isArray(node) ? (node as Schema)[key] : undefined),
    value,
  );
}

/**
 * When no option of a oneOf/anyOf fits: the option whose errors to show, which name the fields to fix, rather
 * than one message for the whole value. Closest is of the value's type, knowing most of its keys, and otherwise
 * the first (as the form shows for a new value); -1 when none is of its type, or a oneOf matched several.
 */
function closest(units: Unit[], unit: Unit, options: unknown, value: unknown): number {
  if (!Array.isArray(options)) return -1;
  const failing = options.map((_, i) => units.filter((u) => under(u.location, `${unit.location}/${i}`)));
  if (failing.some((errors) => errors.length === 0)) return -1;
  const keys = isObject(value) ? Object.keys(value) : [];
  const known = (option: unknown) =>
    isObject(option) && isObject(option.properties) ? keys.filter((k) => k in (option.properties as Schema)).length : 0;
  let best = -1;
  failing.forEach((errors, i) => {
    const wrongType = errors.some((e) => e.keyword === 'type' && e.instanceLocation === unit.instanceLocation);
    if (!wrongType && (best === -1 || known(options[i]) > known(options[best]))) best = i;
  });
  return best;
}

/** Every error of `value` against `schema` (a part of `root`, or `root` itself), as paths into the value. */
export function schemaErrors(
  schema: unknown,
  value: unknown,
  root: Schema = isObject(schema) ? schema : {},
): SchemaError[] {
  if (schema === false) return [{ path: [], message: 'is not allowed' }];
  if (!isObject(schema)) return [];
  const doc = documentOf(root);
  const target = schemaIn(doc, schema);
  const instance = plain(value);
  // A reference the document does not carry is left to the server.
  const lookup = new Proxy(doc.lookup, { get: (known, uri) => (Reflect.get(known, uri) as unknown) ?? true });
  let found: OutputUnit[];
  try {
    found = validate(instance, target, '2020-12', lookup, false).errors;
  } catch {
    // A schema this browser cannot apply (a pattern it cannot read) is left to the server.
    return [];
  }
  const units: Unit[] = [];
  for (const unit of found) {
    const wrapper = units.at(-1);
    units.push({ ...unit, location: unit.keyword === 'false' && wrapper ? wrapper.location : unit.keywordLocation });
  }
  const errors: SchemaError[] = [];
  const dropped: string[] = [];
  for (const unit of units) {
    if (CASCADE.has(unit.keyword) || dropped.some((prefix) => under(unit.location, prefix))) continue;
    const at = schemaAt(target, unit.location, lookup);
    let path = pathOf(unit.instanceLocation, instance);
    let message = wording(unit.keyword, at.node, unit.error);
    if (unit.keyword === 'oneOf' || unit.keyword === 'anyOf') {
      const best = closest(units, unit, at.node, valueAt(instance, path));
      const options = Array.isArray(at.node) ? at.node : [];
      options.forEach((_, i) => i !== best && dropped.push(`${unit.location}/${i}`));
      // The closest option's errors follow.
      if (best !== -1) continue;
    } else if (unit.keyword === 'required') {
      const key = /required property "(.*)"\.$/s.exec(unit.error)?.[1];
      const properties = isObject(at.parent) && isObject(at.parent.properties) ? at.parent.properties : {};
      // The server fills in defaults before it checks (Ajv's useDefaults): a property with one is never missing.
      if (key === undefined || (isObject(properties[key]) && 'default' in properties[key])) continue;
      path = [...path, key];
      message = 'is required';
    }
    errors.push({ path, message: at.names ? `name ${message}` : message });
  }
  // oneOf/anyOf options repeat themselves: one message per path and text, as the server says it.
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${JSON.stringify(e.path)}|${e.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}
