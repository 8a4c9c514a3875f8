import { ApiError, UNREACHABLE_MESSAGE } from '../api/errors';
import { type FieldErrors, dialogRefusal } from './dialog-refusal';

type Field = 'name';
const fieldsOf = (details: ApiError['details']): FieldErrors<Field> => {
  const errors: FieldErrors<Field> = { fields: {}, other: [] };
  for (const d of details) {
    if (d.field === '/name') errors.fields.name = d.message;
    else errors.other.push(`${d.field ?? ''}: ${d.message}`);
  }
  return errors;
};

describe('dialogRefusal', () => {
  it('keeps a refusal that names no field as the failure, with the error for its code and request id', () => {
    const limit = new ApiError(
      409,
      'CONFLICT',
      'You have 100 inbound hooks, the most a user may is 100 (HOOKS_PER_USER): delete one first',
      'req-9',
    );
    const { errors, failure } = dialogRefusal(limit, fieldsOf, 'The hook was not saved');
    expect(errors).toEqual({ fields: {}, other: [] });
    expect(failure).toEqual({ message: limit.message, error: limit });
  });

  it('puts details on their fields, and what names none after the message, keeping the error', () => {
    const onField = new ApiError(400, 'VALIDATION_FAILED', 'Validation failed', 'req-1', [
      { field: '/name', message: 'is taken' },
    ]);
    expect(dialogRefusal(onField, fieldsOf, 'x')).toEqual({
      errors: { fields: { name: 'is taken' }, other: [] },
      failure: null,
    });
    const elsewhere = new ApiError(400, 'VALIDATION_FAILED', 'Validation failed', 'req-2', [
      { field: '/name', message: 'is taken' },
      { field: '/extra', message: 'should not exist' },
    ]);
    expect(dialogRefusal(elsewhere, fieldsOf, 'x')).toEqual({
      errors: { fields: { name: 'is taken' }, other: ['/extra: should not exist'] },
      failure: { message: 'Validation failed: /extra: should not exist', error: elsewhere },
    });
  });

  it('says a failure without an answer in words, or the fallback', () => {
    const offline = new TypeError('Failed to fetch');
    expect(dialogRefusal(offline, fieldsOf, 'x').failure).toEqual({ message: UNREACHABLE_MESSAGE, error: offline });
    expect(dialogRefusal('odd', fieldsOf, 'The hook was not saved').failure).toEqual({
      message: 'The hook was not saved',
      error: 'odd',
    });
  });
});
