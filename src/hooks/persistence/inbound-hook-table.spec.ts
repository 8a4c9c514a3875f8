import { entityCallOn, statementOn, tableAccessOutside } from '../../../test/utils/table-owners';

describe('the inbound hooks’ table', () => {
  it('is read and written only in hooks/persistence/', () => {
    expect(tableAccessOutside('hooks/persistence', ['inbound_hooks'], ['InboundHookEntity'])).toEqual([]);
  });

  it('is recognised by the check above', () => {
    expect(statementOn(['inbound_hooks']).test('DELETE FROM inbound_hooks WHERE')).toBe(true);
    expect(entityCallOn(['InboundHookEntity']).test('em.save(InboundHookEntity, {')).toBe(true);
  });
});
