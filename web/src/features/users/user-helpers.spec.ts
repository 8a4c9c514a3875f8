import { ApiError, UNREACHABLE_MESSAGE } from '../../api/errors';
import { dialogRefusal } from '../../components/dialog-refusal';
import {
  EMPTY_NEW_USER,
  newUserUnsaved,
  paramsFromUserFilters,
  resultInWords,
  selfActionBlocked,
  userFiltersFromParams,
  userFieldsOf,
  usersApiQuery,
  withArticle,
} from './user-helpers';

const refusal = (code: string, details: { field?: string; message: string }[] = [], status = 400) =>
  new ApiError(status, code, 'The request is invalid', 'req-7', details);

describe('user filters in the URL', () => {
  it('reads the role and page, leaving out what it does not understand', () => {
    expect(userFiltersFromParams(new URLSearchParams('role=operator&page=2'))).toEqual({ role: 'operator', page: 2 });
    expect(userFiltersFromParams(new URLSearchParams('role=root&page=0'))).toEqual({ role: undefined, page: 1 });
  });

  it('writes only what is set and round-trips', () => {
    expect(paramsFromUserFilters({ page: 1 }).toString()).toBe('');
    const filters = { role: 'viewer' as const, q: 'ops@', page: 3 };
    expect(userFiltersFromParams(paramsFromUserFilters(filters))).toEqual(filters);
  });

  it('pages the API query', () => {
    expect(usersApiQuery({ page: 1 })).toEqual({ skip: 0, limit: 25 });
    expect(usersApiQuery({ role: 'admin', page: 3 }, 10)).toEqual({ skip: 20, limit: 10, role: 'admin' });
    expect(usersApiQuery({ q: 'ada', page: 1 })).toEqual({ skip: 0, limit: 25, q: 'ada' });
  });
});

describe('userFieldsOf', () => {
  it('puts each refusal on the field its JSON pointer names, joining two on one field', () => {
    expect(
      userFieldsOf([
        { field: '/password', message: 'password must be longer than or equal to 12 characters' },
        { field: '/email', message: 'must be an e-mail address' },
        { field: '/email', message: 'email must be shorter than or equal to 320 characters' },
      ]),
    ).toEqual({
      fields: {
        password: 'password must be longer than or equal to 12 characters',
        email: 'must be an e-mail address; email must be shorter than or equal to 320 characters',
      },
      other: [],
    });
  });

  it('keeps what names no field of the form, with its pointer', () => {
    expect(
      userFieldsOf([{ field: '/extra', message: 'should not exist' }, { message: 'The body is not an object' }]),
    ).toEqual({ fields: {}, other: ['/extra: should not exist', 'The body is not an object'] });
  });

  it('says a taken email (a 409 with details on /email) on the email field, through the dialog refusal', () => {
    const taken = new ApiError(409, 'CONFLICT', 'A user with this email already exists', 'req-7', [
      { field: '/email', message: 'A user with this email already exists' },
    ]);
    expect(dialogRefusal(taken, userFieldsOf, 'The user was not created')).toEqual({
      errors: { fields: { email: 'A user with this email already exists' }, other: [] },
      failure: null,
    });
    const unreachable = dialogRefusal(new TypeError('Failed to fetch'), userFieldsOf, 'The user was not created');
    expect(unreachable.failure?.message).toBe(UNREACHABLE_MESSAGE);
  });
});

describe('newUserUnsaved', () => {
  it('names the new user once anything is typed or chosen, so that closing the dialog asks first', () => {
    expect(newUserUnsaved(EMPTY_NEW_USER)).toBeNull();
    expect(newUserUnsaved({ ...EMPTY_NEW_USER, email: '  ' })).toBeNull();
    expect(newUserUnsaved({ ...EMPTY_NEW_USER, email: 'ada@example.com' })).toBe('The new user');
    expect(newUserUnsaved({ ...EMPTY_NEW_USER, name: 'Ada' })).toBe('The new user');
    expect(newUserUnsaved({ ...EMPTY_NEW_USER, password: 'x' })).toBe('The new user');
    expect(newUserUnsaved({ ...EMPTY_NEW_USER, role: 'operator' })).toBe('The new user');
  });
});

describe('what an admin may not do to themself', () => {
  it('blocks changing their own role and deactivating themself, with a reason', () => {
    expect(selfActionBlocked('me', 'me', 'role')).toMatch(/own role/);
    expect(selfActionBlocked('me', 'me', 'deactivate')).toMatch(/own account/);
    expect(selfActionBlocked('me', 'other', 'role')).toBeUndefined();
    expect(selfActionBlocked('me', 'other', 'deactivate')).toBeUndefined();
  });
});

describe('results in words', () => {
  const user = { name: 'Ada', email: 'ada@example.com' };

  it('names the user and what changed', () => {
    expect(withArticle('operator')).toBe('an operator');
    expect(withArticle('viewer')).toBe('a viewer');
    expect(resultInWords.created({ ...user, role: 'operator' })).toBe(
      'Ada (ada@example.com) was created as an operator.',
    );
    expect(resultInWords.roleChanged({ ...user, role: 'viewer' })).toMatch(
      /^Ada \(ada@example.com\) is now a viewer\./,
    );
    expect(resultInWords.deactivated(user)).toMatch(/was deactivated: they can no longer sign in/);
    expect(resultInWords.reactivated(user)).toBe('Ada (ada@example.com) was reactivated and can sign in again.');
    expect(resultInWords.passwordSet(user)).toMatch(/^The password of Ada \(ada@example.com\) was reset\./);
  });

  it('says a failure with its code and request id', () => {
    expect(resultInWords.failed('Changing the role of Ada', refusal('NOT_FOUND', [], 404))).toBe(
      'Changing the role of Ada failed: The request is invalid (NOT_FOUND, request req-7).',
    );
  });
});
