import type { RJSFSchema } from '@rjsf/utils';
import { SECRET_MASK, createCspSafeValidator, formErrors, invalidJson } from './csp-validator';
import { schemaErrors } from './schema-check';
import { asFormSchema } from './schema-form';
import { CONDITION_SCHEMA as condition } from '../../../../src/common/conditions/condition';

const FIELDS = {
  oneOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', minItems: 1, items: { type: 'string' } },
  ],
};
/** The data-processor's config schema as the API publishes it: the shared condition embedded. */
const config = {
  type: 'object',
  additionalProperties: false,
  properties: {
    pipeline: {
      type: 'array',
      items: {
        type: 'object',
        minProperties: 1,
        maxProperties: 1,
        additionalProperties: false,
        properties: {
          filter: { type: 'object', required: ['where'], properties: { where: { $ref: 'ymera:condition' } } },
          sort: {
            type: 'object',
            required: ['by'],
            additionalProperties: false,
            properties: { by: { type: 'string', minLength: 1 }, order: { enum: ['asc', 'desc'], default: 'asc' } },
          },
          group: { type: 'object', required: ['by', 'aggregates'], properties: { by: FIELDS, aggregates: {} } },
        },
      },
    },
    chunkSize: { type: 'integer', minimum: 1, maximum: 100000, default: 1000 },
  },
  $defs: { condition },
};

const at = (errors: { path: (string | number)[]; message: string }[]) =>
  errors.map((e) => `/${e.path.join('/')} ${e.message}`);

describe('formErrors', () => {
  it('reports every problem of a config at once, on the field it concerns, as the server words it', () => {
    const data = {
      pipeline: [
        { filter: { where: {} } },
        { group: { aggregates: {} } },
        { sort: {} },
        { sort: { by: 'a' }, limit: 1 },
      ],
      chunkSize: 0,
      extra: true,
    };
    expect(at(formErrors(config, data)).sort()).toEqual(
      [
        '/pipeline/0/filter/where/field is required',
        '/pipeline/0/filter/where/op is required',
        '/pipeline/1/group/by is required',
        '/pipeline/2/sort/by is required',
        '/pipeline/3 must NOT have more than 1 properties',
        '/pipeline/3/limit is not allowed',
        '/chunkSize must be >= 1',
        '/extra is not allowed',
      ].sort(),
    );
  });

  it('accepts a valid config, a property with a default counting as present (the server fills it in)', () => {
    const data = {
      pipeline: [
        {
          filter: {
            where: {
              and: [
                { field: 'amount', op: 'gt', value: 0 },
                { field: 'x', op: 'eq' },
              ],
            },
          },
        },
        { group: { by: ['a', 'b'], aggregates: {} } },
        { sort: { by: 'a' } },
      ],
    };
    expect(formErrors(config, data)).toEqual([]);
  });

  it('names the fields of the oneOf option the value comes closest to, through shared references', () => {
    const data = { pipeline: [{ filter: { where: { and: [{ field: '', op: 'bogus' }] } } }, { group: { by: '' } }] };
    expect(at(formErrors(config, data)).sort()).toEqual(
      [
        '/pipeline/0/filter/where/and/0/field must NOT have fewer than 1 characters',
        '/pipeline/0/filter/where/and/0/op must be equal to one of the allowed values',
        '/pipeline/1/group/by must NOT have fewer than 1 characters',
        '/pipeline/1/group/aggregates is required',
      ].sort(),
    );
  });

  it('says a JSON text that does not parse is not JSON, and nothing more about it', () => {
    const data = { pipeline: [{ filter: { where: { field: 'a', op: 'eq', value: invalidJson('{"DE"') } } }] };
    expect(at(formErrors(config, data))).toEqual(['/pipeline/0/filter/where/value is not valid JSON']);
  });

  it('checks types, lengths, patterns, formats and unique items', () => {
    const schema = {
      type: 'object',
      properties: {
        n: { type: 'integer' },
        s: { type: 'string', maxLength: 2, pattern: '^a' },
        id: { type: 'string', format: 'uuid' },
        list: { type: 'array', uniqueItems: true, maxItems: 2 },
        vars: { type: 'object', propertyNames: { pattern: '^[a-z]+$' }, additionalProperties: { type: 'number' } },
      },
    };
    const data = { n: 1.5, s: 'bcd', id: 'nope', list: [1, 1, 2], vars: { ok: 1, Bad: 2, also: 'x' } };
    expect(at(schemaErrors(schema, data)).sort()).toEqual(
      [
        '/n must be integer',
        '/s must NOT have more than 2 characters',
        '/s must match pattern "^a"',
        '/id must match format "uuid"',
        '/list must NOT have more than 2 items',
        '/list must NOT have duplicate items',
        '/vars/Bad name must match pattern "^[a-z]+$"',
        '/vars/also must be number',
      ].sort(),
    );
  });

  it('words every bound on a count (characters, items, properties) as Ajv does', () => {
    const schema = {
      type: 'object',
      properties: {
        short: { type: 'string', minLength: 3 },
        long: { type: 'string', maxLength: 1 },
        few: { type: 'array', minItems: 2 },
        many: { type: 'array', maxItems: 1 },
        thin: { type: 'object', minProperties: 2 },
        fat: { type: 'object', maxProperties: 1 },
      },
    };
    const data = { short: 'ab', long: 'ab', few: [1], many: [1, 2], thin: { a: 1 }, fat: { a: 1, b: 2 } };
    expect(at(schemaErrors(schema, data)).sort()).toEqual(
      [
        '/short must NOT have fewer than 3 characters',
        '/long must NOT have more than 1 characters',
        '/few must NOT have fewer than 2 items',
        '/many must NOT have more than 1 items',
        '/thin must NOT have fewer than 2 properties',
        '/fat must NOT have more than 1 properties',
      ].sort(),
    );
  });

  it('words a refused `not` with its description, as the server does', () => {
    const schema = {
      type: 'object',
      properties: { path: { type: 'string', not: { pattern: '^_', description: 'must not start with _' } } },
    };
    expect(at(schemaErrors(schema, { path: '_x' }))).toEqual(['/path must not start with _']);
  });
});

describe('createCspSafeValidator', () => {
  it('gives rjsf the errors by field, checked against the server’s schema rather than the form’s', () => {
    const validator = createCspSafeValidator(config);
    const { errors, errorSchema } = validator.validateFormData({ chunkSize: 0, pipeline: [{ sort: {} }] }, {});
    expect(errors.map((e) => [e.property, e.message])).toEqual([
      ['.pipeline.0.sort.by', 'is required'],
      ['.chunkSize', 'must be >= 1'],
    ]);
    expect(errorSchema).toEqual({
      pipeline: { 0: { sort: { by: { __errors: ['is required'] } } } },
      chunkSize: { __errors: ['must be >= 1'] },
    });
  });

  it('lets rjsf choose the option a value matches', () => {
    const validator = createCspSafeValidator();
    const option: RJSFSchema = { type: 'object', required: ['sort'], properties: { sort: { type: 'object' } } };
    expect(validator.isValid(option, { sort: {} }, option)).toBe(true);
    expect(validator.isValid(option, { filter: {} }, option)).toBe(false);
  });

  it('checks an option of the form’s schema through its local references, JSON fields and all', () => {
    const validator = createCspSafeValidator();
    const form = asFormSchema(config) as RJSFSchema & { $defs: { condition: { oneOf: RJSFSchema[] } } };
    const [compare, all] = form.$defs.condition.oneOf;
    expect(validator.isValid(compare, { field: 'a', op: 'eq', value: 1 }, form)).toBe(true);
    expect(validator.isValid(all, { and: [{ field: 'a', op: 'eq' }] }, form)).toBe(true);
    expect(validator.isValid(all, { and: [{ field: 'a', op: 'bogus' }] }, form)).toBe(false);
  });
});

describe('a saved config, edited', () => {
  /** As the http agent type publishes it: a named secret and header values that are all secrets. */
  const http = {
    type: 'object',
    properties: {
      url: { type: 'string', pattern: '^https?://' },
      headers: { type: 'object', additionalProperties: { type: 'string', maxLength: 4000, writeOnly: true } },
      signingSecret: { type: 'string', minLength: 16, writeOnly: true },
      note: { type: 'string', minLength: 16 },
    },
  };
  const masked = { url: 'https://a.example', headers: { Authorization: SECRET_MASK }, signingSecret: SECRET_MASK };

  it('takes each secret that still shows the mask as kept, as the server does', () => {
    expect(formErrors(http, masked, true)).toEqual([]);
    expect(at(formErrors(http, masked))).toEqual(['/signingSecret must NOT have fewer than 16 characters']);
  });

  it('still checks a secret typed anew, and a field that is not a secret even when it shows the mask', () => {
    expect(at(formErrors(http, { ...masked, signingSecret: 'short', note: SECRET_MASK }, true)).sort()).toEqual([
      '/note must NOT have fewer than 16 characters',
      '/signingSecret must NOT have fewer than 16 characters',
    ]);
  });
});
