import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', '..');
const OWNER = relative(SRC, __dirname);
/** A statement that names one of the tasks' tables. */
const STATEMENT = /\b(from|into|update|join)\s+"?(tasks|task_attempts|task_checkpoint_parts)\b/i;
/** TypeORM calls that take a task entity (`getRepository(TaskEntity)`, `em.find(TaskAttemptEntity, …)`). */
const ENTITY_CALL = /\(\s*Task(Attempt|CheckpointPart)?Entity\b/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('the tasks’ tables', () => {
  it(`are read and written only in ${OWNER}/`, () => {
    const offenders = sources(SRC)
      .map((path) => relative(SRC, path))
      .filter((path) => !path.startsWith(`${OWNER}/`))
      .flatMap((path) =>
        readFileSync(join(SRC, path), 'utf8')
          .split('\n')
          .map((line, i) => ({ path, line: i + 1, text: line }))
          .filter(({ text }) => STATEMENT.test(text) || ENTITY_CALL.test(text)),
      )
      .map(({ path, line, text }) => `${path}:${line}: ${text.trim()}`);
    expect(offenders).toEqual([]);
  });

  it('are recognised by the check above', () => {
    expect(STATEMENT.test('SELECT id FROM tasks t WHERE')).toBe(true);
    expect(STATEMENT.test('INSERT INTO task_attempts (task_id)')).toBe(true);
    expect(ENTITY_CALL.test('em.find(TaskEntity, { where })')).toBe(true);
    expect(STATEMENT.test('the tasks from the queue')).toBe(false);
  });
});
