import Ajv2020 from 'ajv/dist/2020';
import { SchemaValidator } from './schema-validator';
import { JSON_SCHEMA_DIALECT, publishedSchema } from './published-schema';

const config = {
  type: 'object',
  properties: {
    pipeline: { type: 'array', items: { type: 'object', properties: { where: { $ref: 'ymera:condition' } } } },
  },
};

describe('publishedSchema', () => {
  it('adds the dialect, and nothing else to a schema that references no shared schema', () => {
    expect(publishedSchema({ type: 'object' })).toEqual({ $schema: JSON_SCHEMA_DIALECT, type: 'object' });
  });

  it('embeds the shared schemas it references, so a validator that knows none of them judges as the server does', () => {
    const published = publishedSchema(config);
    expect(published.$defs).toEqual({ condition: expect.objectContaining({ $id: 'ymera:condition' }) });
    // A fresh Ajv, not the server's (which has `ymera:condition` registered).
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(published);
    const server = new SchemaValidator();
    const cases: [unknown, boolean][] = [
      [{ where: { field: 'a', op: 'gt', value: 1 } }, true],
      [{ where: { and: [{ field: 'a', op: 'eq' }, { not: { field: 'b', op: 'exists' } }] } }, true],
      [{ where: { field: 'a', op: 'bogus' } }, false],
      [{ where: { and: [] } }, false],
    ];
    for (const [step, valid] of cases) {
      const data = { pipeline: [step] };
      expect([validate(structuredClone(data)), server.validate(config, data).valid]).toEqual([valid, valid]);
    }
  });
});
