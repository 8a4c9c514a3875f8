import { inputSkeleton, inputWays, objectShape, placeholder, typeOf } from './schema-shapes';

const LLM_IN = {
  oneOf: [
    { type: 'object', required: ['prompt'], properties: { prompt: { type: 'string' } } },
    { type: 'object', required: ['messages'], properties: { messages: { type: 'array' } } },
  ],
};
const PROCESSOR_IN = {
  type: 'object',
  oneOf: [{ required: ['records'] }, { required: ['file'] }],
  properties: { records: { type: 'array' }, file: { type: 'string' } },
};

describe('reading an agent type’s schemas', () => {
  it('finds the object an input is: itself, or a oneOf’s first way of giving it', () => {
    expect(objectShape(LLM_IN)?.required).toEqual(['prompt']);
    expect(objectShape(PROCESSOR_IN)?.required).toEqual(['records']);
    expect(objectShape({ description: 'Any JSON value' })).toBeUndefined();
    expect(objectShape(undefined)).toBeUndefined();
  });

  it('reads a field’s type, an integer as a number and a nullable type as its first', () => {
    expect(typeOf({ type: 'integer' })).toBe('number');
    expect(typeOf({ type: ['object', 'null'] })).toBe('object');
    expect(typeOf({ properties: {} })).toBe('object');
    expect(typeOf({})).toBeUndefined();
  });

  it('offers a field’s default, its first example, or an empty value of its type', () => {
    expect(placeholder({ type: 'string', default: 'x' })).toBe('x');
    expect(placeholder({ type: 'number', examples: [7] })).toBe(7);
    expect([{ type: 'boolean' }, { type: 'array' }, { type: 'object' }, {}].map(placeholder)).toEqual([
      false,
      [],
      {},
      '',
    ]);
  });

  it('starts an input with the required fields, and names the ways of giving it', () => {
    expect(inputSkeleton(LLM_IN)).toEqual({ prompt: '' });
    expect(inputSkeleton(PROCESSOR_IN)).toEqual({ records: [] });
    expect(inputSkeleton({ description: 'Any JSON value' })).toEqual({});
    expect(inputWays(LLM_IN)).toEqual(['{prompt}', '{messages}']);
    expect(inputWays(PROCESSOR_IN)).toEqual(['{records}', '{file}']);
    expect(inputWays({ type: 'object' })).toEqual([]);
  });
});
