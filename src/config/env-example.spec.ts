import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingNames } from './unknown-settings';

describe('.env.example', () => {
  it('lists every setting the platform reads', () => {
    const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const settings = settingNames();
    expect(settings.length).toBeGreaterThan(50);
    expect(settings.filter((name) => !listed.has(name))).toEqual([]);
  });
});
