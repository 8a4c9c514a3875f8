import { checkReport } from './migrate';

describe('migrate check', () => {
  const sql = ['ALTER TABLE "workflows" ADD "paused" boolean', 'CREATE INDEX "paused_idx" ON "workflows" ("paused")'];

  it('agrees, with exit code 0, only when every migration is applied and no SQL is needed', () => {
    expect(checkReport('ymera', { pending: [], unknown: [] }, [])).toEqual({
      lines: ['entities and migrations agree'],
      code: 0,
    });
    expect(checkReport('ymera', { pending: [], unknown: [] }, sql)).toEqual({
      lines: [
        'the entities need SQL the migrations do not have:\n' +
          'ALTER TABLE "workflows" ADD "paused" boolean;\n' +
          'CREATE INDEX "paused_idx" ON "workflows" ("paused")',
      ],
      code: 1,
    });
  });

  it('after a revert: names the migrations not applied first, and does not say the migrations lack the SQL', () => {
    const { lines, code } = checkReport('ymera', { pending: ['Paused1764193000000'], unknown: [] }, sql);
    expect(code).toBe(1);
    expect(lines[0]).toBe(
      'not applied to database "ymera" yet: Paused1764193000000 ("npm run migration:run" applies them)',
    );
    expect(lines[1]).toMatch(/^compared with the database as migrated so far, the entities need this SQL \(/);
    expect(lines[1]).toContain('ALTER TABLE "workflows" ADD "paused" boolean;\nCREATE INDEX');
    expect(lines.join('\n')).not.toContain('the migrations do not have');
  });

  it('with migrations pending and no SQL needed so far: exit code 1, as the check is not of the whole build', () => {
    expect(checkReport('ymera', { pending: ['A1', 'B2'], unknown: [] }, [])).toEqual({
      lines: [
        'not applied to database "ymera" yet: A1, B2 ("npm run migration:run" applies them)',
        "the entities agree with the database as migrated so far: check again once it is at this build's migrations",
      ],
      code: 1,
    });
  });

  it('names migrations a newer build applied', () => {
    const { lines, code } = checkReport('ymera', { pending: [], unknown: ['FromANewerBuild1999999999999'] }, []);
    expect(code).toBe(1);
    expect(lines[0]).toBe(
      'applied to database "ymera" but unknown to this build (a newer build migrated it): FromANewerBuild1999999999999',
    );
  });
});
