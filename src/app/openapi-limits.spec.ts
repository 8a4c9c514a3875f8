import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DECORATORS } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';

/** Every DTO module under src (`*.dto.ts`, or any file in a `dto` folder). */
function dtoFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) dtoFiles(path, found);
    else if (/\.ts$/.test(path) && !/\.spec\.ts$/.test(path) && /(\.dto\.ts|[/\\]dto[/\\][^/\\]+\.ts)$/.test(path))
      found.push(path);
  }
  return found;
}

type Documented = Record<string, unknown> & { items?: Record<string, unknown> };

/** What the OpenAPI property must say for a validator's limit: [its key, the value]; undefined: nothing to say. */
function expected(name: string, constraints: unknown[]): [string, unknown][] | undefined {
  switch (name) {
    case 'isLength':
      return [
        ['minLength', constraints[0]],
        ['maxLength', constraints[1]],
      ];
    case 'minLength':
      return [['minLength', constraints[0]]];
    case 'maxLength':
      return [['maxLength', constraints[0]]];
    case 'matches':
      return [['pattern', (constraints[0] as RegExp).source]];
    case 'arrayMaxSize':
      return [['maxItems', constraints[0]]];
    case 'arrayMinSize':
      return [['minItems', constraints[0]]];
    case 'max':
      return [['maximum', constraints[0]]];
    case 'min':
      return [['minimum', constraints[0]]];
    default:
      return undefined;
  }
}

describe('the OpenAPI document’s limits', () => {
  it('are the limits the server validates with: every length, pattern, count and bound of a DTO property', () => {
    const classes = new Set<new () => object>();
    for (const file of dtoFiles(join(__dirname, '..'))) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- every DTO module, found at run time
      for (const value of Object.values(require(file) as Record<string, unknown>))
        if (typeof value === 'function') classes.add(value as new () => object);
    }
    expect(classes.size).toBeGreaterThan(50);
    const storage = getMetadataStorage();
    const drift: string[] = [];
    let checked = 0;
    for (const cls of classes) {
      for (const rule of storage.getTargetValidationMetadatas(cls, '', true, false)) {
        if (rule.target !== cls || !rule.name) continue;
        const wanted = expected(rule.name, rule.constraints as unknown[]);
        if (!wanted) continue;
        const property = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, cls.prototype, rule.propertyName) as
          Documented | undefined;
        // A rule for each item of an array is the items' schema's (a length or pattern of each tag).
        const where = rule.each && !['arrayMaxSize', 'arrayMinSize'].includes(rule.name) ? property?.items : property;
        for (const [key, value] of wanted) {
          checked += 1;
          if (where?.[key] !== value)
            drift.push(
              `${cls.name}.${rule.propertyName}${where === property ? '' : '[]'}: ${key} ${String(where?.[key])}, validated ${String(value)}`,
            );
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(drift).toEqual([]);
  });
});
