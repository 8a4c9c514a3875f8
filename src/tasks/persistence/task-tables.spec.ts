import { entityCallOn, statementOn, tableAccessOutside } from '../../../test/utils/table-owners';

const TABLES = ['tasks', 'task_attempts', 'task_checkpoint_parts', 'task_tags'];
const ENTITIES = ['TaskEntity', 'TaskAttemptEntity', 'TaskCheckpointPartEntity', 'TaskTagEntity'];

describe('the tasks’ tables', () => {
  it('are read and written only in tasks/persistence/', () => {
    expect(tableAccessOutside('tasks/persistence', TABLES, ENTITIES)).toEqual([]);
  });

  it('are recognised by the check above', () => {
    expect(statementOn(TABLES).test('SELECT id FROM tasks t WHERE')).toBe(true);
    expect(statementOn(TABLES).test('INSERT INTO task_attempts (task_id)')).toBe(true);
    expect(entityCallOn(ENTITIES).test('em.find(TaskEntity, { where })')).toBe(true);
    expect(statementOn(TABLES).test('the tasks from the queue')).toBe(false);
  });
});
