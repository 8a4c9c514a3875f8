import type {
  ErrorSchema,
  FormContextType,
  RJSFSchema,
  RJSFValidationError,
  StrictRJSFSchema,
  ValidatorType,
} from '@rjsf/utils';
import { isObject, type Path, type Schema, type SchemaError, schemaErrors } from './schema-check';

/** What a JSON text field holds while its text does not parse: the text, so nothing typed is lost. */
const INVALID_JSON = 'ymera:invalid-json';

export function invalidJson(text: string): Schema {
  return { [INVALID_JSON]: text };
}

export function invalidJsonText(value: unknown): string | undefined {
  return isObject(value) && typeof value[INVALID_JSON] === 'string' ? value[INVALID_JSON] : undefined;
}

function invalidJsonPaths(value: unknown, path: Path, out: Path[], depth = 0): void {
  if (depth > 64) return;
  if (invalidJsonText(value) !== undefined) out.push(path);
  else if (Array.isArray(value)) value.forEach((v, i) => invalidJsonPaths(v, [...path, i], out, depth + 1));
  else if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) invalidJsonPaths(v, [...path, key], out, depth + 1);
  }
}

const startsWith = (path: Path, prefix: Path) => prefix.every((segment, i) => path[i] === segment);

/** What the API shows for each secret of a config, and takes back as "keep it as it is". */
export const SECRET_MASK = '********';

/**
 * Whether `path` is a secret (a `writeOnly` property, or a value of an object whose `additionalProperties` is
 * one) that still holds the mask: the secret kept, which the server does not check again.
 */
function isKeptSecret(schema: Schema, formData: unknown, path: Path): boolean {
  let sub: unknown = schema;
  let value = formData;
  for (const segment of path) {
    if (!isObject(sub) || !isObject(value)) return false;
    const properties = isObject(sub.properties) ? sub.properties : {};
    sub = Object.hasOwn(properties, segment) ? properties[segment] : sub.additionalProperties;
    value = value[segment];
  }
  return isObject(sub) && sub.writeOnly === true && value === SECRET_MASK;
}

/**
 * Every problem of a form's data against the schema the server validates it with: text that is not JSON, then
 * the schema's errors (those under a field that is not JSON yet say nothing more).
 */
export function formErrors(schema: Schema, formData: unknown, keepsSecrets = false): SchemaError[] {
  const notJson: Path[] = [];
  invalidJsonPaths(formData, [], notJson);
  const errors = schemaErrors(schema, formData, schema).filter(
    (e) => !notJson.some((p) => startsWith(e.path, p)) && !(keepsSecrets && isKeptSecret(schema, formData, e.path)),
  );
  return [...notJson.map((path) => ({ path, message: 'is not valid JSON' })), ...errors];
}

/**
 * rjsf's validator without code generation (the console's CSP refuses Ajv's `new Function`). Given the schema
 * the server validates with (the agent type's, as published), a submit shows every error the server would
 * report at once, on its field; rjsf also uses it to choose between `oneOf`/`anyOf` options. With `keepsSecrets`
 * (a saved config, edited), a secret that still shows the mask is taken as it is, as the server takes it.
 */
export function createCspSafeValidator<
  T = unknown,
  S extends StrictRJSFSchema = RJSFSchema,
  F extends FormContextType = Record<string, unknown>,
>(serverSchema?: Schema, keepsSecrets = false): ValidatorType<T, S, F> {
  return {
    // The form's `transformErrors` rewords the errors; each keeps its path (`params.path`), so it stays on its field.
    validateFormData: (formData, schema, _customValidate, transformErrors, uiSchema) => {
      const errors = formErrors(serverSchema ?? (schema as Schema), formData, keepsSecrets);
      let list: RJSFValidationError[] = errors.map(({ path, message }) => {
        const property = `.${path.join('.')}`;
        return { name: 'schema', property, message, params: { path }, stack: `${property} ${message}` };
      });
      if (transformErrors) list = transformErrors(list, uiSchema);
      const errorSchema: Schema = {};
      for (const error of list) {
        const path = (error.params as { path?: Path } | undefined)?.path ?? [];
        let node = errorSchema;
        for (const segment of path) node = (node[segment] ??= {}) as Schema;
        node.__errors = [...((node.__errors as string[] | undefined) ?? []), error.message ?? ''];
      }
      return { errors: list, errorSchema: errorSchema as ErrorSchema<T> };
    },
    isValid: (schema, formData, rootSchema) =>
      invalidJsonText(formData) === undefined && schemaErrors(schema, formData, rootSchema as Schema).length === 0,
    rawValidation: <Result>(schema: S, formData?: T) => ({
      errors: schemaErrors(schema, formData) as Result[],
      validationError: undefined,
    }),
  };
}
