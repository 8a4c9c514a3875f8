import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { EnvSchema } from './env.schema';

describe('.env.example', () => {
  it('lists every setting the platform reads', () => {
    const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const settings = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(EnvSchema, '', true, false)
        .map((m) => m.propertyName),
    );
    expect(settings.size).toBeGreaterThan(50);
    expect([...settings].filter((name) => !listed.has(name)).sort()).toEqual([]);
  });
});
