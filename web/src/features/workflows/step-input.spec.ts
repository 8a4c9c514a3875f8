import { inputFor, pathPart } from './step-input';

// The input and output schemas of the platform's agent types, as GET /agent-types gives them (abridged).
const CALCULATOR_IN = {
  type: 'object',
  required: ['expression'],
  properties: { expression: { type: 'string', minLength: 1 }, variables: { type: 'object' } },
};
const CALCULATOR_OUT = { type: 'object', required: ['result'], properties: { result: { type: 'number' } } };
const PROCESSOR_IN = {
  type: 'object',
  oneOf: [{ required: ['records'] }, { required: ['file'] }],
  properties: { records: { type: 'array' }, file: { type: 'string' }, pipeline: { type: 'array' } },
};
const PROCESSOR_OUT = {
  type: 'object',
  required: ['stats'],
  properties: { records: { type: 'array' }, outputFileId: { type: 'string' }, stats: { type: 'object' } },
};
const LLM_IN = {
  oneOf: [
    { type: 'object', required: ['prompt'], properties: { prompt: { type: 'string' } } },
    { type: 'object', required: ['messages'], properties: { messages: { type: 'array' } } },
  ],
};
const LLM_OUT = {
  type: 'object',
  required: ['text', 'model'],
  properties: { text: { type: 'string' }, model: { type: 'string' }, usage: { type: ['object', 'null'] } },
};
const ANY = { description: 'Any JSON value' };

const after = (schema: Record<string, unknown>) => ({ path: 'steps.prev.output', schema });

describe('the input "Add a step" writes', () => {
  it('names each field the agent needs from the run’s input for a first step', () => {
    expect(inputFor(CALCULATOR_IN, { path: 'input' })).toEqual({
      input: { expression: '{{ input.expression }}' },
      toFill: [],
    });
    // Of the data-processor's ways of giving records, the first.
    expect(inputFor(PROCESSOR_IN, { path: 'input' }).input).toEqual({ records: '{{ input.records }}' });
    expect(inputFor(LLM_IN, { path: 'input' }).input).toEqual({ prompt: '{{ input.prompt }}' });
  });

  it('takes a field of the same name from the step before, as text where the agent needs text', () => {
    expect(inputFor(PROCESSOR_IN, after(PROCESSOR_OUT)).input).toEqual({ records: '{{ steps.prev.output.records }}' });
    expect(inputFor(CALCULATOR_IN, after({ properties: { expression: { type: 'number' } } })).input).toEqual({
      expression: '{{ $string(steps.prev.output.expression) }}',
    });
  });

  it('otherwise takes a field of the same type, or one that reads as text', () => {
    expect(inputFor(LLM_IN, after(LLM_OUT)).input).toEqual({ prompt: '{{ steps.prev.output.text }}' });
    // A calculator after a calculator evaluates the result before it.
    expect(inputFor(CALCULATOR_IN, after(CALCULATOR_OUT))).toEqual({
      input: { expression: '{{ $string(steps.prev.output.result) }}' },
      toFill: [],
    });
  });

  it('leaves a field nothing fits to the operator, with its default or an empty value of its type', () => {
    expect(inputFor(PROCESSOR_IN, after(CALCULATOR_OUT))).toEqual({ input: { records: [] }, toFill: ['records'] });
    expect(inputFor(CALCULATOR_IN, after(ANY))).toEqual({ input: { expression: '' }, toFill: ['expression'] });
    const withDefault = { type: 'object', required: ['n'], properties: { n: { type: 'integer', default: 3 } } };
    expect(inputFor(withDefault, after(ANY))).toEqual({ input: { n: 3 }, toFill: ['n'] });
  });

  it('hands the source on whole to an agent that takes any JSON', () => {
    expect(inputFor(ANY, after(CALCULATOR_OUT))).toEqual({ input: '{{ steps.prev.output }}', toFill: [] });
    expect(inputFor(undefined, { path: 'input' })).toEqual({ input: '{{ input }}', toFill: [] });
  });

  it('quotes a field name a template would not read as one', () => {
    expect(pathPart('total')).toBe('total');
    expect(pathPart('first-step')).toBe('`first-step`');
    expect(pathPart('and')).toBe('`and`');
    expect(pathPart('2nd')).toBe('`2nd`');
    const dashed = { type: 'object', required: ['max-items'], properties: { 'max-items': { type: 'number' } } };
    expect(inputFor(dashed, { path: 'input' }).input).toEqual({ 'max-items': '{{ input.`max-items` }}' });
  });
});
