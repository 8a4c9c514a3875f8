import type { ErrorSchema, RJSFSchema, TranslatableString, UiSchema } from '@rjsf/utils';

type Schema = Record<string, unknown>;

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `writeOnly` (secret) fields become password inputs, nested objects and additional properties included. */
export function secretUiSchema(schema: Schema): UiSchema {
  const ui: UiSchema = {};
  if (schema.writeOnly === true && schema.type === 'string') ui['ui:widget'] = 'password';
  if (isObject(schema.properties)) {
    for (const [key, child] of Object.entries(schema.properties)) {
      if (isObject(child)) {
        const childUi = secretUiSchema(child);
        if (Object.keys(childUi).length) ui[key] = childUi;
      }
    }
  }
  if (isObject(schema.additionalProperties)) {
    const childUi = secretUiSchema(schema.additionalProperties);
    if (Object.keys(childUi).length) ui.additionalProperties = childUi;
  }
  return ui;
}

/** The `$id` that routes a schema to the console's JSON text field (rjsf picks a field by `$id`). */
export const JSON_FIELD = 'ymera:console/json-text';

/** Marks an option of a oneOf/anyOf, whose title the form shows as a choice only. */
export const OPTION = 'x-form-option';

const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMAS = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'propertyNames', 'contains'];
const SHAPING = [...SCHEMA_MAPS, ...SCHEMA_LISTS, ...SCHEMAS, '$ref', 'type', 'enum', 'const'];

/** A value of any shape, or an object of any keys: nothing rjsf can render fields for, so it is typed as JSON. */
function isFreeForm(schema: Schema): boolean {
  if (schema.type === 'object') {
    return (
      !SHAPING.some((key) => key !== 'type' && key !== 'additionalProperties' && key in schema) &&
      (schema.additionalProperties === undefined || schema.additionalProperties === true)
    );
  }
  return !SHAPING.some((key) => key in schema);
}

/** `{filter: …} | {sort: …} | …` as one object of at most one property: a choice of kind, as rjsf's oneOf. */
function isOneKeyUnion(schema: Schema): boolean {
  return (
    schema.maxProperties === 1 &&
    schema.additionalProperties === false &&
    isObject(schema.properties) &&
    Object.keys(schema.properties).length > 1
  );
}

function asChoice(schema: Schema): Schema {
  const { properties, minProperties: _min, maxProperties: _max, additionalProperties: _more, ...rest } = schema;
  const options = Object.entries(properties as Schema).map(([key, child]) => ({
    title: isObject(child) && typeof child.title === 'string' ? child.title : key,
    type: 'object',
    required: [key],
    additionalProperties: false,
    properties: { [key]: child },
  }));
  return { ...rest, type: 'object', oneOf: options };
}

/** Embedded shared schemas (`$defs` with an `$id`, as the API publishes them) by `$id`, as local references. */
function embeddedIds(root: Schema): Map<string, string> {
  const ids = new Map<string, string>();
  if (isObject(root.$defs)) {
    for (const [key, def] of Object.entries(root.$defs)) {
      if (isObject(def) && typeof def.$id === 'string')
        ids.set(def.$id, `#/$defs/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    }
  }
  return ids;
}

/** `oneOf: [{required: ['records']}, {required: ['file']}]`: which fields to fill, not a choice of shape. */
function onlyRequires(options: unknown): boolean {
  return (
    Array.isArray(options) &&
    options.every((o) => isObject(o) && Object.keys(o).every((k) => ['required', 'title', 'description'].includes(k)))
  );
}

const FIELD_POSITIONS = new Set([...SCHEMA_MAPS, 'prefixItems', 'items', 'additionalProperties']);

/** `field`: whether the schema describes a value the form shows (a property, an item), not a constraint on one. */
function prepare(value: unknown, ids: Map<string, string>, field: boolean): unknown {
  if (value === true && field) return { $id: JSON_FIELD };
  if (!isObject(value)) return value;
  let schema: Schema = { ...value };
  if (typeof schema.$ref === 'string' && !schema.$ref.startsWith('#')) {
    const local = ids.get(schema.$ref);
    // A reference to a schema the server keeps to itself cannot be resolved here: the value is typed as JSON,
    // and the server checks it.
    if (local) schema.$ref = local;
    else return { description: `As the server's ${schema.$ref} schema says`, $id: JSON_FIELD };
  }
  // rjsf would take an `$id` for the name of a field; references are local by now.
  delete schema.$id;
  // A rule that holds only for some values (an `in` list's length) is the server's to judge: rjsf would take it
  // for another shape of the fields and lose the option chosen.
  for (const key of ['if', 'then', 'else']) delete schema[key];
  if (isOneKeyUnion(schema)) schema = asChoice(schema);
  for (const key of ['oneOf', 'anyOf']) {
    // Which fields to fill is said by the fields and checked on submit: no choice to offer.
    if (onlyRequires(schema[key])) delete schema[key];
    // The options' titles are the choices offered; shown again above the chosen option's fields, they repeat.
    else if (Array.isArray(schema[key])) {
      schema[key] = schema[key].map((o) => (isObject(o) ? { ...o, [OPTION]: true } : o));
    }
  }
  if (field && isFreeForm(schema)) {
    // Without `type`, so rjsf gives it a label as it does a text input; the server's schema still checks it.
    const { type: _type, additionalProperties: _more, ...rest } = schema;
    return { ...rest, $id: JSON_FIELD };
  }
  const child = (key: string, v: unknown) => prepare(v, ids, FIELD_POSITIONS.has(key));
  for (const key of SCHEMA_MAPS) {
    if (isObject(schema[key])) {
      schema[key] = Object.fromEntries(Object.entries(schema[key]).map(([k, v]) => [k, child(key, v)]));
    }
  }
  for (const key of SCHEMA_LISTS) {
    if (Array.isArray(schema[key])) schema[key] = schema[key].map((v) => child(key, v));
  }
  for (const key of SCHEMAS) {
    // additionalProperties: true means "any value" for each key, not a field of its own.
    if (key in schema && !(key === 'additionalProperties' && typeof schema[key] === 'boolean')) {
      schema[key] = child(key, schema[key]);
    }
  }
  // A new item of free-form objects (a record) starts as `{}`, which says what to type.
  const items = schema.items;
  if (isObject(items) && items.$id === JSON_FIELD && isObject(value.items) && value.items.type === 'object') {
    schema.items = { default: {}, ...items };
  }
  return schema;
}

/**
 * The type's config (or input) schema for rjsf: shared schemas it embeds referenced locally, a one-property
 * choice of kinds (a pipeline step) as a oneOf rjsf offers as a choice, and values of any shape as JSON text.
 * The data keeps its shape, so the server's schema validates it and its error paths land on these fields.
 */
export function asFormSchema(schema: Schema): RJSFSchema {
  return prepare(schema, embeddedIds(schema), false) as RJSFSchema;
}

/** What an "Add" button of an array (or object of free-form keys) says: "Add step", or "Add to fields". */
export function addLabel(items: unknown, title: string | undefined): string {
  if (isObject(items) && typeof items.title === 'string' && items.title) return `Add ${items.title}`;
  return title ? `Add to ${title}` : 'Add';
}

/**
 * The label of an added key (a header's name) and of its value (the field templates' "Value"): "Key", not
 * "Name", which a form's own name field has.
 */
export const KEY_LABEL = 'Key';
export const VALUE_LABEL = 'Value';

/** rjsf's words for these two (its TranslatableString values, checked against rjsf's by their types). */
const NEW_STRING_DEFAULT: `${TranslatableString.NewStringDefault}` = 'New Value';
const KEY_LABEL_TEXT: `${TranslatableString.KeyLabel}` = '%1 Key';

type Translate = (text: TranslatableString, params?: string[]) => string;

/**
 * rjsf's words (its `translateString`), as `english` (rjsf's own) says them but for an added key of an object of
 * free-form keys (a header): its key field is "Key" (not "newKey Key"), and a new value starts empty (not
 * "New Value", which a password field would hide and the config would keep).
 */
export function formStrings(english: Translate): Translate {
  return (text, params) => {
    if (text === NEW_STRING_DEFAULT) return '';
    if (text === KEY_LABEL_TEXT) return KEY_LABEL;
    return english(text, params);
  };
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * The server's `details[].field` JSON pointers under `/config` as an rjsf error schema (`/config/precision` →
 * `{precision: {__errors: [message]}}`), and the rest (`/name`, `/type`, …) by their pointer.
 */
export function splitServerErrors(details: readonly { field?: string; message: string }[]): {
  config: ErrorSchema;
  fields: Record<string, string>;
  other: string[];
} {
  const config: ErrorSchema = {};
  const fields: Record<string, string> = {};
  const other: string[] = [];
  for (const { field, message } of details) {
    if (field === '/config' || field?.startsWith('/config/')) {
      const path = field.split('/').slice(2).map(unescapePointer);
      let node = config as Record<string, unknown>;
      for (const segment of path) {
        node[segment] ??= {};
        node = node[segment] as Record<string, unknown>;
      }
      const errors = (node.__errors as string[] | undefined) ?? [];
      node.__errors = [...errors, message];
    } else if (field) {
      fields[field] = fields[field] ? `${fields[field]}; ${message}` : message;
    } else {
      other.push(message);
    }
  }
  return { config, fields, other };
}
