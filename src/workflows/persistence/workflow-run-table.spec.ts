import { entityCallOn, statementOn, tableAccessOutside } from '../../../test/utils/table-owners';

describe('the workflow runs’ table', () => {
  it('is read and written only in workflows/persistence/', () => {
    expect(tableAccessOutside('workflows/persistence', ['workflow_runs'], ['WorkflowRunEntity'])).toEqual([]);
  });

  it('is recognised by the check above', () => {
    expect(statementOn(['workflow_runs']).test('UPDATE workflow_runs SET')).toBe(true);
    expect(entityCallOn(['WorkflowRunEntity']).test('em.create(WorkflowRunEntity, {')).toBe(true);
  });
});
