import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** A statement that names one of `tables`. */
export function statementOn(tables: string[]): RegExp {
  return new RegExp(`\\b(from|into|update|join)\\s+"?(${tables.join('|')})\\b`, 'i');
}

/** A TypeORM call that takes one of `entities` (`getRepository(TaskEntity)`, `em.find(TaskEntity, …)`). */
export function entityCallOn(entities: string[]): RegExp {
  return new RegExp(`\\(\\s*(${entities.join('|')})\\b`);
}

/**
 * Lines of the server's source, outside `owner` (a folder under src/), with a statement on `tables` or a
 * TypeORM call taking `entities`: `path:line: text`. `allowed` names, by file, lines (trimmed) let through.
 */
export function tableAccessOutside(
  owner: string,
  tables: string[],
  entities: string[],
  allowed: Record<string, RegExp> = {},
): string[] {
  const statement = statementOn(tables);
  const entityCall = entityCallOn(entities);
  return sources(SRC)
    .map((path) => relative(SRC, path))
    .filter((path) => !path.startsWith(`${owner}/`))
    .flatMap((path) =>
      readFileSync(join(SRC, path), 'utf8')
        .split('\n')
        .map((text, i) => ({ path, line: i + 1, text }))
        .filter(({ text }) => statement.test(text) || entityCall.test(text))
        .filter(({ path: file, text }) => !allowed[file]?.test(text.trim())),
    )
    .map(({ path, line, text }) => `${path}:${line}: ${text.trim()}`);
}
