import { permissionsOf } from './permissions';
import { lacking, type Principal } from './principal';

describe('lacking', () => {
  const viewer: Principal = {
    type: 'user',
    userId: 'u',
    email: 'v@example.com',
    role: 'viewer',
    permissions: permissionsOf('viewer'),
  };

  it("names the role for a user, and for a key whose user's role lacks the permission too", () => {
    expect(lacking(viewer, ['tasks:write'])).toBe(
      'This takes the tasks:write permission, which your role does not hold',
    );
    const key: Principal = { ...viewer, type: 'apiKey', apiKeyId: 'k', permissions: new Set(['agents:read']) };
    expect(lacking(key, ['tasks:write'])).toBe('This takes the tasks:write permission, which your role does not hold');
  });

  it('names the key when its user holds the permission but the key was not given it', () => {
    const key: Principal = {
      type: 'apiKey',
      userId: 'u',
      email: 'o@example.com',
      role: 'operator',
      apiKeyId: 'k',
      permissions: new Set(['agents:read']),
    };
    expect(lacking(key, ['tasks:write', 'tasks:read'], 'A schedule')).toBe(
      'A schedule takes the tasks:write and tasks:read permissions, which this API key does not hold',
    );
  });

  it('names one of several when the route takes any of them', () => {
    const key: Principal = {
      type: 'apiKey',
      userId: 'u',
      email: 'o@example.com',
      role: 'viewer',
      apiKeyId: 'k',
      permissions: new Set(['agents:read']),
    };
    expect(lacking(key, ['tasks:read', 'workflows:read'], undefined, 'any')).toBe(
      'This takes the tasks:read or workflows:read permission, which this API key does not hold',
    );
    // The role holding one of them is enough for the key to be what lacks it.
    expect(lacking({ ...key, role: 'viewer' }, ['tasks:read', 'users:manage'], undefined, 'any')).toContain(
      'which this API key does not hold',
    );
    expect(lacking(viewer, ['users:manage', 'audit:read'], undefined, 'any')).toBe(
      'This takes the users:manage or audit:read permission, which your role does not hold',
    );
  });
});
