import type { RJSFSchema } from '@rjsf/utils';
import { createCspSafeValidator } from './csp-validator';
import { plainErrors } from './plain-errors';

/** The calculator's config schema as the API publishes it, and a number of any size beside it. */
const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    precision: { title: 'Precision', type: 'integer', minimum: 0, maximum: 15, default: 10 },
    scale: { type: 'number' },
  },
};

/** The errors the form shows on each field for `formData`. */
function errorsFor(formData: Record<string, unknown>): Record<string, string[]> {
  const validator = createCspSafeValidator(schema);
  const { errorSchema } = validator.validateFormData(formData, schema as RJSFSchema, undefined, plainErrors);
  const nodes = errorSchema as Record<string, { __errors?: string[] }>;
  return Object.fromEntries(Object.entries(nodes).map(([key, node]) => [key, node.__errors ?? []]));
}

/**
 * A number field is a text input, read by rjsf's number field (`asNumber`): text that is no number (`-`, `--2`)
 * is passed on as it is, and `1e400` as Infinity, which JSON cannot carry. The form's checks refuse both on the
 * field, where a browser's number input would have reported them as empty and the default been saved.
 */
describe('a number typed as text', () => {
  it('refuses text that reads as no number, or as one JSON cannot carry, on its field', () => {
    for (const value of [Infinity, -Infinity, NaN, '-', '--2', '1e', 'abc']) {
      expect([value, errorsFor({ precision: value })]).toEqual([value, { precision: ['Must be a whole number'] }]);
      expect([value, errorsFor({ scale: value })]).toEqual([value, { scale: ['Must be a number'] }]);
    }
  });

  it('takes a number as before, the schema judging its range', () => {
    expect(errorsFor({ precision: 3, scale: 1.5 })).toEqual({});
    expect(errorsFor({ scale: -2 })).toEqual({});
    expect(errorsFor({ precision: -2 })).toEqual({ precision: ['Must be at least 0'] });
    expect(errorsFor({ precision: 1.5 })).toEqual({ precision: ['Must be a whole number'] });
  });

  it('leaves an emptied field out, for the default to fill in', () => {
    expect(errorsFor({ precision: undefined })).toEqual({});
    expect(errorsFor({})).toEqual({});
  });
});
