import {
  cycleGroups,
  cycleThrough,
  graphSteps,
  groupProblems,
  pointerInStep,
  stepIndexOf,
  validateDefinition,
} from './workflow-validation';
import { lineAndColumn, parseDefinition, syntaxErrorAt } from './json-syntax';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

const step = (id: string, dependsOn?: string[], agentId = A) => ({
  id,
  agentId,
  input: { expression: '1+2' },
  ...(dependsOn ? { dependsOn } : {}),
});

const messages = (value: unknown, options = {}) =>
  validateDefinition(value, options).map((p) => `${p.pointer}: ${p.message}`);

describe('parseDefinition', () => {
  it('reads JSON', () => {
    expect(parseDefinition('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('says where a syntax error is', () => {
    const parsed = parseDefinition('{\n  "name": "x",\n  "steps": [}\n');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toEqual({ line: 3, column: 13, message: 'Unexpected “}”' });
  });

  it('agrees with JSON.parse on what is valid, and names what is wrong', () => {
    const valid = ['{}', '[]', '[1, -2.5e3, "a\\u00e9\\n", true, false, null, {"a": {"b": []}}]', ' "x" '];
    for (const text of valid) expect(syntaxErrorAt(text)).toBeNull();
    const cases: [string, number, string][] = [
      ['{"a": 1,}', 8, 'A comma cannot come before “}”'],
      ['[1, 2,]', 6, 'A comma cannot come before “]”'],
      ['{"a" 1}', 5, 'Expected “:” after a property name, found “1”'],
      ["{'a': 1}", 1, "Expected a property name in double quotes, found “'”"],
      ['{"a": 1', 7, 'Expected “,” or “}”, found the end of the text'],
      ['[1 2]', 3, 'Expected “,” or “]”, found “2”'],
      ['{"a": "b', 8, 'A string is not closed (missing ")'],
      ['{"a": tru}', 6, 'Unexpected “t”'],
      ['{} x', 3, 'Unexpected “x” after the end of the JSON value'],
      ['{"e": ', 6, 'Unexpected end of the text'],
      ['[1, ', 4, 'Unexpected end of the text'],
      ['{"a": -}', 6, 'Unexpected “-”'],
      ['{"a": 01}', 7, 'Expected “,” or “}”, found “1”'],
    ];
    for (const [text, offset, message] of cases) {
      expect(() => JSON.parse(text) as unknown).toThrow();
      expect(syntaxErrorAt(text)).toEqual({ offset, message });
    }
  });

  it('says where the text ends too soon, in words right for any JSON typed in (a run’s input too)', () => {
    const parsed = parseDefinition('{"e": ');
    expect(!parsed.ok && parsed.error).toEqual({ line: 1, column: 7, message: 'Unexpected end of the text' });
  });

  it('calls an empty text empty', () => {
    const parsed = parseDefinition('  ');
    expect(!parsed.ok && parsed.error.message).toBe('The text is empty');
  });

  it('counts lines and columns from 1', () => {
    expect(lineAndColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('validateDefinition', () => {
  it('accepts a valid definition', () => {
    expect(messages({ name: 'w', description: 'd', steps: [step('a'), step('b', ['a'])] })).toEqual([]);
  });

  it('names missing and mistyped fields by their pointer', () => {
    expect(messages({ steps: [] })).toEqual(['/name: is required', '/steps: must have at least one step']);
    expect(messages({ name: 3, steps: {} })).toEqual([
      '/name: must be a string, not a number',
      '/steps: must be an array of steps, not an object',
    ]);
    expect(messages({ name: 'w', description: null, steps: [step('a')] })).toEqual([
      '/description: must be a string (or left out), not null',
    ]);
    expect(messages([])).toEqual([
      ': The definition must be an object {name, description?, steps, triggers?}, not an array',
    ]);
    expect(messages({ name: 'w', steps: [step('a')], extra: 1 })).toEqual([
      '/extra: is not a workflow field (name, description, steps, triggers)',
    ]);
  });

  it('checks each step’s fields', () => {
    expect(
      messages({
        name: 'w',
        steps: [
          { id: '1st', agentId: 'nope', input: null, dependsOn: 'a', when: [], continueOnFailure: 'yes', x: 1 },
          'a step',
          { agentId: A },
        ],
      }),
    ).toEqual([
      '/steps/0/x: is not a step field (id, kind, agentId, input, timeoutMs, permission, durationMs, until, dependsOn, when, continueOnFailure)',
      '/steps/0/id: must start with a letter and use letters, digits, _ and - (at most 100)',
      '/steps/0/agentId: must be an agent id (a UUID)',
      '/steps/0/input: must be a JSON value other than null (use {} for none)',
      '/steps/0/dependsOn: must be an array of step ids, not a string',
      '/steps/0/when: must be a condition (an object), not an array',
      '/steps/0/continueOnFailure: must be true or false',
      '/steps/1: must be an object, not a string',
      '/steps/2/id: is required',
      '/steps/2/input: is required',
    ]);
  });

  it('allows a partial definition for a change', () => {
    expect(messages({ description: 'only this' }, { partial: true })).toEqual([]);
  });

  it('finds repeated ids, unknown and self dependencies, and repeated dependencies', () => {
    expect(messages({ name: 'w', steps: [step('a'), step('a'), step('b', ['c', 'b', 'a', 'a'])] })).toEqual([
      '/steps/2/dependsOn/3: "a" is listed twice',
      '/steps/1/id: "a" is already the id of step 1',
      '/steps/2/dependsOn/0: no step "c"',
      '/steps/2/dependsOn/1: a step cannot depend on itself',
    ]);
  });

  it('puts a cycle on every step in it, and not on the steps outside it', () => {
    const problems = validateDefinition({
      name: 'w',
      steps: [step('start'), step('a', ['start', 'c']), step('b', ['a']), step('c', ['b']), step('end', ['c'])],
    });
    expect(problems).toEqual([
      { pointer: '/steps/1/dependsOn', message: 'dependency cycle: a → b → c → a' },
      { pointer: '/steps/2/dependsOn', message: 'dependency cycle: b → c → a → b' },
      { pointer: '/steps/3/dependsOn', message: 'dependency cycle: c → a → b → c' },
    ]);
    const { byStep, general } = groupProblems(problems);
    expect(general).toEqual([]);
    expect([...byStep.keys()]).toEqual([1, 2, 3]);
  });

  it('checks agents against the known ones when given', () => {
    expect(messages({ name: 'w', steps: [step('a', [], B)] }, { knownAgents: new Set([A]) })).toEqual([
      '/steps/0/agentId: no agent with this id',
    ]);
  });
});

describe('cycles', () => {
  it('groups the steps of each cycle', () => {
    const steps = [
      { id: 'a', dependsOn: ['b'] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'c', dependsOn: ['a', 'd'] },
      { id: 'd', dependsOn: ['c'] },
      { id: 'e', dependsOn: ['e'] },
    ];
    expect(cycleGroups(steps).map((g) => [...g].sort())).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(cycleThrough('a', ['a', 'b'], steps)).toEqual(['a', 'b', 'a']);
  });

  it('takes the shortest way round', () => {
    const steps = [
      { id: 'a', dependsOn: ['c', 'b'] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'c', dependsOn: ['b'] },
    ];
    expect(cycleThrough('a', ['a', 'b', 'c'], steps)).toEqual(['a', 'b', 'a']);
  });
});

describe('pointers and graph steps', () => {
  it('finds the step a pointer names', () => {
    expect(stepIndexOf('/steps/3/input/expression')).toBe(3);
    expect(stepIndexOf('/steps/3')).toBe(3);
    expect(stepIndexOf('/steps')).toBeUndefined();
    expect(stepIndexOf('/name')).toBeUndefined();
    expect(pointerInStep('/steps/3/input/expression')).toBe('input/expression');
    expect(pointerInStep('/steps/3')).toBe('');
  });

  it('reads what it can of the steps of an unfinished definition', () => {
    expect(graphSteps({ steps: [{ id: 'a', agentId: A }, 5, { dependsOn: ['a', 3] }] })).toEqual([
      { index: 0, id: 'a', agentId: A, dependsOn: [] },
      { index: 2, id: '#3', agentId: undefined, dependsOn: ['a'] },
    ]);
    // An approval or a wait step keeps its kind, so the graph names it by its kind rather than as agentless.
    expect(
      graphSteps({
        steps: [
          { id: 'ok', kind: 'approval', dependsOn: ['a'] },
          { id: 'w', kind: 'wait' },
        ],
      }),
    ).toEqual([
      { index: 0, id: 'ok', kind: 'approval', agentId: undefined, dependsOn: ['a'] },
      { index: 1, id: 'w', kind: 'wait', agentId: undefined, dependsOn: [] },
    ]);
    expect(graphSteps({ steps: 'x' })).toEqual([]);
    expect(graphSteps(null)).toEqual([]);
  });
});
