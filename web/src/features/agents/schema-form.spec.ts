import { CONDITION_SCHEMA as condition } from '../../../../src/common/conditions/condition';
import type { TranslatableString } from '@rjsf/utils';
import { JSON_FIELD, OPTION, addLabel, asFormSchema, formStrings } from './schema-form';

const aggregate = { title: 'aggregate', type: 'object', properties: { op: { enum: ['sum', 'count'] } } };
const step = {
  title: 'step',
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: {
    filter: { type: 'object', required: ['where'], properties: { where: { $ref: 'ymera:condition' } } },
    group: {
      type: 'object',
      properties: {
        aggregates: { type: 'object', additionalProperties: aggregate },
      },
    },
    limit: { title: 'Limit', type: 'object', properties: { count: { type: 'integer' } } },
  },
};
/** Shaped as the API publishes the data-processor's schemas: the server's condition schema embedded under $defs. */
const published = {
  type: 'object',
  oneOf: [{ required: ['records'] }, { required: ['file'] }],
  properties: {
    records: { type: 'array', items: { title: 'record', type: 'object' } },
    file: { type: 'string' },
    pipeline: { type: 'array', items: step },
    stats: { type: 'object', additionalProperties: true },
  },
  $defs: { condition },
};

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('asFormSchema', () => {
  const form = asFormSchema(published) as Node;
  const items = form.properties.pipeline.items as Node;

  it('offers a one-property object of kinds (a pipeline step) as a choice: one option per kind', () => {
    expect(items.properties).toBeUndefined();
    expect(items.maxProperties).toBeUndefined();
    expect(items.oneOf.map((o: Node) => o.title)).toEqual(['filter', 'group', 'Limit']);
    expect(items.oneOf[0]).toMatchObject({
      [OPTION]: true,
      type: 'object',
      required: ['filter'],
      additionalProperties: false,
      properties: { filter: { required: ['where'] } },
    });
  });

  it('references an embedded shared schema locally, and keeps its options a choice', () => {
    expect(items.oneOf[0].properties.filter.properties.where).toEqual({ $ref: '#/$defs/condition' });
    const def = form.$defs.condition as Node;
    expect(def.$id).toBeUndefined();
    expect(def.oneOf.map((o: Node) => [o.title, o[OPTION]])).toEqual([
      ['Compare a field', true],
      ['All of (and)', true],
      ['Any of (or)', true],
      ['Not', true],
    ]);
    expect(def.oneOf[1].properties.and.items).toEqual({ $ref: '#/$defs/condition' });
    expect(def.oneOf[3].properties.not).toEqual({ $ref: '#/$defs/condition' });
  });

  it('leaves conditional rules (an in list’s bound) to the server', () => {
    expect(condition.oneOf[0]).toHaveProperty('if');
    expect(form.$defs.condition.oneOf[0]).not.toHaveProperty('if');
    expect(form.$defs.condition.oneOf[0]).not.toHaveProperty('then');
  });

  it('types values of any shape as JSON: a condition’s value, records, objects of any keys', () => {
    expect(form.$defs.condition.oneOf[0].properties.value).toEqual({
      description: condition.oneOf[0].properties.value.description,
      $id: JSON_FIELD,
    });
    // A new record starts as {}.
    expect(form.properties.records.items).toEqual({ default: {}, title: 'record', $id: JSON_FIELD });
    expect(form.properties.stats).toEqual({ $id: JSON_FIELD });
  });

  it('keeps objects of typed free-form keys as rjsf’s key and value fields', () => {
    expect(items.oneOf[1].properties.group.properties.aggregates).toEqual({
      type: 'object',
      additionalProperties: aggregate,
    });
  });

  it('drops a oneOf that only says which fields to fill (the server’s schema still checks it)', () => {
    expect(form.oneOf).toBeUndefined();
    expect(form.type).toBe('object');
  });

  it('types a value of a schema the server keeps to itself as JSON', () => {
    const relaxed = asFormSchema({ type: 'object', properties: { when: { $ref: 'ymera:other' } } }) as Node;
    expect(relaxed.properties.when).toEqual({
      description: "As the server's ymera:other schema says",
      $id: JSON_FIELD,
    });
  });

  it('leaves the published schema as it was', () => {
    expect(published.properties.pipeline.items).toBe(step);
    expect(step.properties.filter.properties.where).toEqual({ $ref: 'ymera:condition' });
    expect(condition.$id).toBe('ymera:condition');
  });
});

describe('addLabel', () => {
  it('names what an Add button adds: the items’ title, or else the list it adds to', () => {
    expect(addLabel({ title: 'step' }, 'pipeline')).toBe('Add step');
    expect(addLabel({ type: 'string' }, 'fields')).toBe('Add to fields');
    expect(addLabel(true, undefined)).toBe('Add');
  });
});

describe('formStrings', () => {
  const english = (text: TranslatableString, params: string[] = []) => `${text} [${params.join()}]`;
  const words = formStrings(english);

  it('starts an added value empty and names an added key "Key"; says the rest as rjsf does', () => {
    expect(words('New Value' as TranslatableString)).toBe('');
    expect(words('%1 Key' as TranslatableString, ['newKey'])).toBe('Key');
    expect(words('Add' as TranslatableString)).toBe('Add []');
    expect(words('%1 option %2' as TranslatableString, ['step', '2'])).toBe('%1 option %2 [step,2]');
  });
});
