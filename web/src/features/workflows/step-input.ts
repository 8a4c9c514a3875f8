/**
 * The input "Add a step" writes for a new step, read from its agent type's input schema: each field the agent
 * needs, filled from what comes before it (the run's input, or the output of the step it follows, as that
 * step's agent type describes it), or left for the operator to fill in where nothing fits.
 */

import { type Schema, objectShape, placeholder, typeOf } from '../agents/schema-shapes';

/** Where a step's input comes from: a template path (`input`, `steps.fetch.output`) and, when known, its schema. */
export interface InputSource {
  path: string;
  /** The schema of what `path` holds; undefined when nothing is known of its shape (the run's input). */
  schema?: Schema;
}

export interface StepInput {
  input: unknown;
  /** The fields left with a placeholder, for the operator to fill in. */
  toFill: string[];
}

/** Names a template reads as a field: letters, digits and `_`, not starting with a digit. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names JSONata reads as operators or literals, not as fields. */
export const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null']);

/** `name` as a step of a template path: quoted when JSONata would not read it as a field name. */
export function pathPart(name: string): string {
  return FIELD_NAME.test(name) && !RESERVED.has(name) ? name : `\`${name.replace(/`/g, '')}\``;
}

/**
 * A template for the field `name` of schema `want`, from `source`: the field of the same name; otherwise, when
 * the source's shape is known, its first field of the same type (required ones first), or one that reads as
 * text for a text field; undefined when nothing fits.
 */
function templateFor(name: string, want: unknown, source: InputSource): string | undefined {
  const shape = objectShape(source.schema);
  const field = (from: string) => `${source.path}.${pathPart(from)}`;
  if (!shape) return source.schema ? undefined : `{{ ${field(name)} }}`;
  const type = typeOf(want);
  const names = [...new Set([...shape.required, ...Object.keys(shape.properties)])];
  const typed = (n: string) => typeOf(shape.properties[n]);
  if (name in shape.properties)
    return type === 'string' && typed(name) !== 'string' ? `{{ $string(${field(name)}) }}` : `{{ ${field(name)} }}`;
  const same = names.find((n) => type !== undefined && typed(n) === type);
  if (same) return `{{ ${field(same)} }}`;
  const text = names.find((n) => type === 'string' && ['number', 'boolean'].includes(typed(n) ?? ''));
  return text ? `{{ $string(${field(text)}) }}` : undefined;
}

/**
 * The input for an agent whose input schema is `target`, fed from `source`. An agent that takes any JSON gets
 * the source whole; one that takes an object gets its required fields (or, with none required, the first way
 * of giving what it needs), each from the source where one fits, else a placeholder named in `toFill`.
 */
export function inputFor(target: Schema | undefined, source: InputSource): StepInput {
  const shape = objectShape(target);
  if (!shape) return { input: `{{ ${source.path} }}`, toFill: [] };
  const input: Record<string, unknown> = {};
  const toFill: string[] = [];
  for (const name of shape.required) {
    const want = shape.properties[name];
    const template = templateFor(name, want, source);
    if (template === undefined) toFill.push(name);
    input[name] = template ?? placeholder(want);
  }
  return { input, toFill };
}
