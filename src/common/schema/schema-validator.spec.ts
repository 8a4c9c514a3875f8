import { SchemaValidator } from './schema-validator';

describe('SchemaValidator', () => {
  const validator = new SchemaValidator();
  const input = {
    type: 'object',
    oneOf: [{ required: ['records'] }, { required: ['file'] }],
    properties: { records: { type: 'array' }, file: { type: 'string' } },
  };

  it('says a oneOf of required properties in words: exactly one of them', () => {
    const both = validator.validate(input, { records: [], file: 'f' }, '/input');
    expect(both).toEqual({
      valid: false,
      errors: [{ field: '/input', message: 'must have exactly one of records, file' }],
    });
    const neither = validator.validate(input, {}, '/input');
    expect(neither.valid).toBe(false);
    if (!neither.valid)
      expect(neither.errors).toContainEqual({ field: '/input', message: 'must have exactly one of records, file' });
    expect(validator.validate(input, { file: 'f' }).valid).toBe(true);
  });

  it('names a key that propertyNames refuses once, at its own pointer, with what it must match', () => {
    const variables = {
      type: 'object',
      properties: {
        variables: {
          type: 'object',
          propertyNames: { pattern: '^[a-z]+$' },
          additionalProperties: { type: 'number' },
        },
      },
    };
    expect(validator.validate(variables, { variables: { π: 3, ok: 1, 'x-y': 2 } }, '/input')).toEqual({
      valid: false,
      errors: [
        { field: '/input/variables/π', message: 'is not an allowed name: must match pattern "^[a-z]+$"' },
        { field: '/input/variables/x-y', message: 'is not an allowed name: must match pattern "^[a-z]+$"' },
      ],
    });
  });

  it("keeps ajv's words for any other oneOf", () => {
    const result = validator.validate({ oneOf: [{ type: 'string' }, { type: 'string', minLength: 1 }] }, 'x', '/v');
    expect(result).toEqual({
      valid: false,
      errors: [{ field: '/v', message: 'must match exactly one schema in oneOf' }],
    });
  });
});
