import { Injectable } from '@nestjs/common';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { CONDITION_SCHEMA } from '../conditions/condition';
import type { ErrorDetail } from '../errors/app.error';

export type JsonSchema = Record<string, unknown>;

export type SchemaResult<T> = { valid: true; value: T } | { valid: false; errors: ErrorDetail[] };

/**
 * A `oneOf` whose options only name what is required (`[{required: ['records']}, {required: ['file']}]`) in
 * words: which properties, one of them alone.
 */
function oneOfRequiredMessage(error: ErrorObject): string | undefined {
  if (error.keyword !== 'oneOf' || !Array.isArray(error.schema)) return undefined;
  const names: string[] = [];
  for (const option of error.schema as unknown[]) {
    const required = (option as { required?: unknown } | null)?.required;
    if (
      !Array.isArray(required) ||
      required.length !== 1 ||
      Object.keys(option as object).some((k) => !['required', 'title', 'description'].includes(k))
    )
      return undefined;
    names.push(String(required[0]));
  }
  return `must have exactly one of ${names.join(', ')}`;
}

function detailOf(error: ErrorObject, base: string): ErrorDetail {
  let pointer = `${base}${error.instancePath}`;
  // A key refused by `propertyNames`: its own check's error names it (the key's pointer, what it must match).
  if (error.propertyName !== undefined)
    return {
      field: `${pointer}/${error.propertyName}`,
      message: `is not an allowed name: ${error.message ?? 'invalid'}`,
    };
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty) pointer += `/${params.missingProperty}`;
  if (error.keyword === 'additionalProperties' && params.additionalProperty) pointer += `/${params.additionalProperty}`;
  const refused = error.keyword === 'not' ? (error.schema as { description?: unknown }).description : undefined;
  const message =
    oneOfRequiredMessage(error) ??
    (typeof refused === 'string'
      ? refused
      : error.keyword === 'additionalProperties'
        ? 'is not allowed'
        : error.keyword === 'required'
          ? 'is required'
          : (error.message ?? 'is invalid'));
  return { field: pointer || '/', message };
}

/** An ajv for JSON Schema 2020-12 reporting every error, filling in defaults or not. */
function ajvWith(useDefaults: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, useDefaults, strict: false, coerceTypes: false });
  addFormats(ajv);
  ajv.addSchema(CONDITION_SCHEMA);
  return ajv;
}

/** Compiles schemas with one ajv, each once (cached per schema object). */
class Compiled {
  private readonly validators = new WeakMap<object, ValidateFunction>();

  constructor(private readonly ajv: Ajv2020) {}

  of(schema: JsonSchema): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.validators.set(schema, validate);
    }
    return validate;
  }
}

/** The result of a validation: the value, or its errors under `base`, one per pointer and text. */
function resultOf<T>(validate: ValidateFunction, value: unknown, base: string): SchemaResult<T> {
  if (validate(value)) return { valid: true, value: value as T };
  // `propertyNames` adds an error of its own ("property name must be valid") after the one of each key it refused.
  const details = (validate.errors ?? []).filter((e) => e.keyword !== 'propertyNames').map((e) => detailOf(e, base));
  // oneOf/anyOf branches repeat themselves; one message per pointer and text is enough.
  const unique = [...new Map(details.map((d) => [`${d.field}|${d.message}`, d])).values()];
  return { valid: false, errors: unique };
}

/**
 * JSON Schema 2020-12 with ajv: every error reported (as JSON pointers under a base). `validate` fills in
 * defaults on a copy; `check` reads the value as it is.
 */
@Injectable()
export class SchemaValidator {
  private readonly filling = new Compiled(ajvWith(true));
  private readonly reading = new Compiled(ajvWith(false));

  /** Validates a copy of `data` (defaults filled in) and returns it, or the errors under `base`. */
  validate<T>(schema: JsonSchema, data: unknown, base = ''): SchemaResult<T> {
    return resultOf<T>(this.filling.of(schema), structuredClone(data ?? {}), base);
  }

  /**
   * Checks `data` as it is, neither copied nor changed (no default filled in): for what is only checked, such as
   * an attempt's output, whose copy would cost as much again as the output (a 5 MB answer: most of a second).
   */
  check(schema: JsonSchema, data: unknown, base = ''): SchemaResult<unknown> {
    return resultOf(this.reading.of(schema), data ?? {}, base);
  }
}
