import {
  EXPIRY_CHOICES,
  PERMISSIONS,
  expiresAtFor,
  isExpired,
  keyFormErrors,
  offeredScopes,
  type Permission,
  validateKeyForm,
} from './scopes';

describe('offeredScopes', () => {
  it('offers exactly the permissions the user holds, in the API order', () => {
    const operator = [
      'tasks:write',
      'agents:read',
      'tasks:read',
      'workflows:read',
      'agents:write',
      'workflows:write',
      'schedules:write',
      'schedules:read',
      'webhooks:write',
      'webhooks:read',
      'hooks:read',
      'hooks:write',
      'files:read',
      'files:write',
      'apikeys:manage',
    ];
    expect(offeredScopes(operator).map((s) => s.scope)).toEqual([
      'agents:read',
      'agents:write',
      'tasks:read',
      'tasks:write',
      'workflows:read',
      'workflows:write',
      'schedules:read',
      'schedules:write',
      'webhooks:read',
      'webhooks:write',
      'hooks:read',
      'hooks:write',
      'files:read',
      'files:write',
      'apikeys:manage',
    ]);
  });

  it('offers nothing the user does not hold, and ignores unknown strings', () => {
    expect(offeredScopes(['agents:read', 'made:up']).map((s) => s.scope)).toEqual(['agents:read']);
    expect(offeredScopes([])).toEqual([]);
  });

  it('offers every permission to an admin, each with a description', () => {
    const all = PERMISSIONS.map((p) => p.scope);
    // Every permission the API knows, and nothing else.
    const api: Permission[] = [
      'agents:read',
      'agents:write',
      'tasks:read',
      'tasks:write',
      'workflows:read',
      'workflows:write',
      'schedules:read',
      'schedules:write',
      'webhooks:read',
      'webhooks:write',
      'hooks:read',
      'hooks:write',
      'files:read',
      'files:write',
      'apikeys:manage',
      'audit:read',
      'users:manage',
      'system:read',
      'queues:manage',
    ];
    expect(offeredScopes(all).map((s) => s.scope)).toEqual(api);
    expect(offeredScopes(all).every((s) => s.description.length > 0)).toBe(true);
  });
});

describe('expiresAtFor', () => {
  const now = Date.parse('2026-03-01T12:00:00.000Z');

  it('is that many days from now', () => {
    expect(expiresAtFor('30', now)).toBe('2026-03-31T12:00:00.000Z');
    expect(expiresAtFor('7', now)).toBe('2026-03-08T12:00:00.000Z');
  });

  it('is absent for "never" and anything that is not a number of days', () => {
    expect(expiresAtFor('never', now)).toBeUndefined();
    expect(expiresAtFor('', now)).toBeUndefined();
    expect(expiresAtFor('-3', now)).toBeUndefined();
    expect(expiresAtFor('1.5', now)).toBeUndefined();
  });

  it('covers every choice offered', () => {
    for (const { value } of EXPIRY_CHOICES) {
      expect(value === 'never' ? expiresAtFor(value, now) === undefined : !!expiresAtFor(value, now)).toBe(true);
    }
  });
});

describe('isExpired', () => {
  const now = Date.parse('2026-03-01T12:00:00.000Z');
  it('is true once the expiry has passed, never for a key without one', () => {
    expect(isExpired({ expiresAt: '2026-03-01T11:59:59.000Z' }, now)).toBe(true);
    expect(isExpired({ expiresAt: '2026-03-02T00:00:00.000Z' }, now)).toBe(false);
    expect(isExpired({ expiresAt: null }, now)).toBe(false);
  });
});

describe('keyFormErrors', () => {
  it('puts each server error on the field it names', () => {
    expect(
      keyFormErrors([
        { field: '/name', message: 'must be shorter' },
        { field: '/scopes/1', message: 'you do not hold users:manage' },
        { field: '/scopes/2', message: 'you do not hold audit:read' },
        { field: '/expiresAt', message: 'must be in the future' },
        { field: '/other', message: 'unexpected' },
        { message: 'no field' },
      ]),
    ).toEqual({
      name: 'must be shorter',
      scopes: 'you do not hold users:manage; you do not hold audit:read',
      expiresAt: 'must be in the future',
      other: ['/other: unexpected', 'no field'],
    });
  });
});

describe('validateKeyForm', () => {
  it('needs a name and a scope', () => {
    expect(validateKeyForm('  ', [])).toEqual({
      name: 'Give the key a name: what will use it?',
      scopes: 'Choose at least one scope',
    });
    expect(validateKeyForm('x'.repeat(101), ['agents:read'])).toEqual({ name: 'At most 100 characters' });
    expect(validateKeyForm('CI', ['agents:read'])).toBeNull();
  });
});
