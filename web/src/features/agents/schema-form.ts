import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';

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

function localRefsOnly(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(localRefsOnly);
  if (!isObject(value)) return value;
  // A reference to a schema the server keeps to itself (`ymera:condition`) cannot be resolved here: the
  // value is taken as an object of any shape, and the server checks it.
  if (typeof value.$ref === 'string' && !value.$ref.startsWith('#')) {
    return { type: 'object', description: `As the server's ${value.$ref} schema says`, additionalProperties: true };
  }
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, localRefsOnly(child)]));
}

/** The type's config schema for rjsf: references it cannot resolve are relaxed (the server validates). */
export function asFormSchema(schema: Schema): RJSFSchema {
  return localRefsOnly(schema) as RJSFSchema;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * The server's `details[].field` JSON pointers under `/config` as an rjsf error schema (`/config/precision` →
 * `{precision: {__errors: [message]}}`), and the rest (`/name`, `/type`, …) by their pointer.
 */
export function splitServerErrors(details: { field?: string; message: string }[]): {
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
