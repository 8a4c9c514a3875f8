import { createCspSafeValidator } from './csp-validator';
import { HTTP_URL, plainErrors, plainMessage } from './plain-errors';

describe('plainMessage', () => {
  it('says each check in plain words', () => {
    expect(plainMessage('is required')).toBe('Enter a value');
    expect(plainMessage('must be >= 0')).toBe('Must be at least 0');
    expect(plainMessage('must be <= 2')).toBe('Must be at most 2');
    expect(plainMessage('must be > 0')).toBe('Must be more than 0');
    expect(plainMessage('must be < 1.5')).toBe('Must be less than 1.5');
    expect(plainMessage('must be integer')).toBe('Must be a whole number');
    expect(plainMessage('must be string,null')).toBe('Must be text or empty');
    expect(plainMessage('must NOT have fewer than 16 characters')).toBe('Must be at least 16 characters long');
    expect(plainMessage('must NOT have fewer than 1 characters')).toBe('Enter a value');
    expect(plainMessage('must NOT have more than 1 items')).toBe('Must have at most 1 item');
    expect(plainMessage('must be equal to one of the allowed values')).toBe('Choose one of the allowed values');
    expect(plainMessage('must be multiple of 5')).toBe('Must be a multiple of 5');
    expect(plainMessage('must match format "uuid"')).toBe('Must be an id (a UUID)');
    expect(plainMessage('is not valid JSON')).toBe('Not valid JSON: check the quotes, commas and brackets');
  });

  it('reads an http(s) pattern as a URL, and says any other pattern', () => {
    expect(plainMessage('must match pattern "^[Hh][Tt][Tt][Pp][Ss]?://"')).toBe(HTTP_URL);
    expect(plainMessage('must match pattern "^https?://"')).toBe(HTTP_URL);
    expect(plainMessage('must match pattern "^[a-z]+$"')).toBe('Not in the expected form (the pattern ^[a-z]+$)');
  });

  it('says what a key is wrong in, and keeps a schema’s own words', () => {
    expect(plainMessage('name must NOT have more than 64 characters')).toBe(
      'The name: must be at most 64 characters long',
    );
    expect(plainMessage('must not start with _')).toBe('Must not start with _');
  });
});

describe('plainErrors', () => {
  const error = (property: string, message: string) => ({ name: 'schema', property, message, stack: '' });

  it('gives a URL field one message for its format and its pattern, and keeps every other field’s', () => {
    const errors = [
      error('.url', 'must match pattern "^[Hh][Tt][Tt][Pp][Ss]?://"'),
      error('.url', 'must match format "uri"'),
      error('.timeoutMs', 'must be integer'),
      error('.timeoutMs', 'must be >= 0'),
      error('.model', 'is required'),
    ];
    expect(plainErrors(errors).map((e) => [e.property, e.message])).toEqual([
      ['.url', HTTP_URL],
      ['.timeoutMs', 'Must be a whole number'],
      ['.timeoutMs', 'Must be at least 0'],
      ['.model', 'Enter a value'],
    ]);
  });

  it('gives a URL its format’s message when it has no http(s) pattern', () => {
    expect(plainErrors([error('.link', 'must match format "uri"')])[0].message).toBe(
      'Must be a URL, such as https://example.com',
    );
  });

  it('keeps each error on its field when the form validates', () => {
    const schema = {
      type: 'object',
      required: ['model'],
      properties: {
        model: { type: 'string' },
        baseUrl: { type: 'string', format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' },
        retries: { type: 'integer', minimum: 0 },
      },
    };
    const validator = createCspSafeValidator(schema);
    const { errors, errorSchema } = validator.validateFormData(
      { baseUrl: 'not a url', retries: -1.5 },
      {},
      undefined,
      plainErrors,
    );
    expect(errorSchema).toEqual({
      model: { __errors: ['Enter a value'] },
      baseUrl: { __errors: [HTTP_URL] },
      retries: { __errors: ['Must be a whole number', 'Must be at least 0'] },
    });
    expect(errors).toHaveLength(4);
  });
});
