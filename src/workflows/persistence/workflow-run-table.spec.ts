import { entityCallOn, statementOn, tableAccessOutside } from '../../../test/utils/table-owners';

/**
 * Reads elsewhere, by file and statement: the task retention purge keeps the tasks of runs still running, in
 * the one statement that deletes the others.
 */
const READS_ALLOWED: Record<string, RegExp> = {
  'tasks/persistence/task-retention-queries.ts':
    /^SELECT 1 FROM workflow_runs r WHERE r\.id = t\.run_id AND r\.status = 'running'$/,
};

describe('the workflow runs’ tables', () => {
  it('are read and written only in workflows/persistence/', () => {
    expect(
      tableAccessOutside(
        'workflows/persistence',
        ['workflow_runs', 'workflow_run_steps'],
        ['WorkflowRunEntity', 'WorkflowRunStepEntity'],
        READS_ALLOWED,
      ),
    ).toEqual([]);
  });

  it('is recognised by the check above', () => {
    expect(statementOn(['workflow_runs']).test('UPDATE workflow_runs SET')).toBe(true);
    expect(entityCallOn(['WorkflowRunEntity']).test('em.create(WorkflowRunEntity, {')).toBe(true);
  });
});
