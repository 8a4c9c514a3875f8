import { entityCallOn, statementOn, tableAccessOutside } from '../../../test/utils/table-owners';

const TABLES = ['refresh_tokens', 'mfa_recovery_codes'];
const ENTITIES = ['RefreshTokenEntity', 'MfaRecoveryCodeEntity'];

describe('the refresh tokens’ and recovery codes’ tables', () => {
  it('are read and written only in auth/persistence/', () => {
    expect(tableAccessOutside('auth/persistence', TABLES, ENTITIES)).toEqual([]);
  });

  it('are recognised by the check above', () => {
    expect(statementOn(TABLES).test('DELETE FROM refresh_tokens WHERE expires_at < now()')).toBe(true);
    expect(entityCallOn(ENTITIES).test('em.update(RefreshTokenEntity, { userId })')).toBe(true);
    expect(entityCallOn(ENTITIES).test('em.countBy(MfaRecoveryCodeEntity, { userId })')).toBe(true);
    expect(statementOn(TABLES).test('the refresh_tokens of a user')).toBe(false);
  });
});
