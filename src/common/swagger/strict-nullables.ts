import type { OpenAPIObject } from '@nestjs/swagger';

type Schema = Record<string, unknown>;

/** A schema that `null` alone satisfies, in OpenAPI 3.0 (`nullable` needs a `type`, and `null` in the enum). */
const NULL_ONLY: Schema = { type: 'object', nullable: true, enum: [null] };

/**
 * Nullable schemas as OpenAPI 3.0 defines them, so that strict validators and generators accept `null` where the
 * API sends it. @nestjs/swagger writes a nullable nested DTO as `{nullable, type: object, allOf: [$ref]}`, whose
 * `allOf` still refuses `null` (3.0.3: `nullable` only widens `type`), and a nullable enum without `null` among its
 * values, and any JSON value or null as `{nullable, anyOf: […]}` with no `type` for `nullable` to widen. Here the
 * first becomes `anyOf: [$ref, null]`, the second lists `null`, the third has `null` among its alternatives.
 */
export function strictNullables(document: OpenAPIObject): OpenAPIObject {
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    const schema = value as Schema;
    if (schema.nullable === true) {
      const { allOf, anyOf, oneOf, enum: values } = schema;
      if (Array.isArray(allOf) && allOf.length === 1) {
        delete schema.allOf;
        delete schema.type;
        delete schema.nullable;
        schema.anyOf = [allOf[0], NULL_ONLY];
      } else if (Array.isArray(anyOf) || Array.isArray(oneOf)) {
        // Any JSON value or null: the alternatives say what a value may be, so null is one of them.
        delete schema.nullable;
        if (Array.isArray(anyOf)) schema.anyOf = [...(anyOf as unknown[]), NULL_ONLY];
        else schema.oneOf = [...(oneOf as unknown[]), NULL_ONLY];
      } else if (Array.isArray(values) && !values.includes(null)) {
        schema.enum = [...values, null];
      }
    }
    Object.values(schema).forEach(visit);
  };
  visit(document.components?.schemas);
  return document;
}
