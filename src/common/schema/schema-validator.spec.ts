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

  it("keeps ajv's words for any other oneOf", () => {
    const result = validator.validate({ oneOf: [{ type: 'string' }, { type: 'string', minLength: 1 }] }, 'x', '/v');
    expect(result).toEqual({
      valid: false,
      errors: [{ field: '/v', message: 'must match exactly one schema in oneOf' }],
    });
  });
});
