import { getMetadataStorage } from 'class-validator';
import request from 'supertest';
import { createTestApp, type TestApp } from './utils/test-app';

type Schema = { type?: string; properties?: Record<string, Schema> };
interface Parameter {
  name: string;
  in: string;
  schema?: Schema;
}

/**
 * What the validation pipe takes as an integer (`@IsInt`) the OpenAPI document says is one: a generated client
 * then types it so, and refuses `1.5` itself, as the server does.
 */
describe('integers in the OpenAPI document', () => {
  let t: TestApp;
  let doc: {
    paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
    components: { schemas: Record<string, Schema> };
  };

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await request(t.http).get('/docs-json').expect(200)).body;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const integerRules = () =>
    getMetadataStorage()[
      // class-validator keeps its rules by target; the app's DTOs are loaded by now.
      'validationMetadatas'
    ] as unknown as Map<unknown, { name?: string; propertyName: string; target: unknown }[]>;

  it('types every @IsInt body property as integer', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const rules of integerRules().values()) {
      for (const rule of rules) {
        if (rule.name !== 'isInt' || typeof rule.target !== 'function') continue;
        const property = doc.components.schemas[rule.target.name]?.properties?.[rule.propertyName];
        if (!property) continue;
        checked += 1;
        if (property.type !== 'integer') wrong.push(`${rule.target.name}.${rule.propertyName}: ${property.type}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });

  it('types every @IsInt query parameter as integer (skip and limit among them)', () => {
    const integerNames = new Set<string>();
    for (const rules of integerRules().values())
      for (const rule of rules)
        if (rule.name === 'isInt' && typeof rule.target === 'function' && rule.target.name.endsWith('QueryDto'))
          integerNames.add(rule.propertyName);
    expect([...integerNames]).toEqual(expect.arrayContaining(['skip', 'limit']));
    const wrong: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths))
      for (const [method, operation] of Object.entries(operations))
        for (const p of operation.parameters ?? [])
          if (p.in === 'query' && integerNames.has(p.name) && p.schema?.type !== 'integer')
            wrong.push(`${method.toUpperCase()} ${path} ?${p.name}: ${p.schema?.type}`);
    expect(wrong).toEqual([]);
  });
});
