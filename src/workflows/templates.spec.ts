import {
  MAX_EXPRESSION_LENGTH,
  MAX_SYNTAX_DEPTH,
  renderTemplatesToJson,
  TemplateError,
  type TemplateLimits,
  templateProblems,
} from './templates';

const context = {
  input: { n: 4, name: 'Ada' },
  steps: { a: { status: 'succeeded', output: { total: 12, items: [1, 2] } } },
};
// Time enough for any legitimate expression on a loaded machine; the timeout test sets its own short limit.
const limits: TemplateLimits = {
  timeoutMs: 10_000,
  maxDepth: 1000,
  maxSequence: 100_000,
  maxOutputBytes: 10_000,
  maxStringLength: 1_000_000,
};
const render = async (value: unknown, bounds = limits) =>
  JSON.parse(await renderTemplatesToJson(value, context, bounds)) as unknown;
const failure = async (value: unknown, bounds = limits) => {
  const err = await render(value, bounds).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TemplateError);
  return { code: (err as TemplateError).code, message: (err as TemplateError).message };
};

describe('step input templates', () => {
  it('keeps the type of a whole-string template and interpolates embedded ones', async () => {
    const rendered = await render({
      expression: '{{ "x * " & $string(steps.a.output.total) }}',
      variables: { x: '{{ input.n }}' },
      items: '{{ steps.a.output.items }}',
      greeting: 'Hello {{ input.name }}, total {{ steps.a.output.total }}',
      plain: 'no templates here',
      list: ['{{ input.n * 2 }}', 3],
      missing: '{{ input.nothing }}',
    });
    expect(rendered).toEqual({
      expression: 'x * 12',
      variables: { x: 4 },
      items: [1, 2],
      greeting: 'Hello Ada, total 12',
      plain: 'no templates here',
      list: [8, 3],
      missing: null,
    });
  });

  it('reports a broken expression with where it is', async () => {
    expect(await failure({ a: { b: '{{ input.n + }}' } })).toEqual({
      code: 'TEMPLATE_ERROR',
      message: expect.stringMatching(/^\/a\/b: /),
    });
    expect(await failure({ a: ['{{ $number("x") }}'] })).toEqual({
      code: 'TEMPLATE_ERROR',
      message: expect.stringMatching(/^\/a\/0: .*number/i),
    });
  });

  it('refuses what an input cannot hold: text with a NUL or a lone surrogate, a number JSON cannot write', async () => {
    const cannot = (what: RegExp) => ({ code: 'TEMPLATE_ERROR', message: expect.stringMatching(what) });
    const text = /text with a NUL character or an unpaired surrogate, which an input cannot hold$/;
    expect(await failure({ a: '{{ $base64decode("AA==") }}' })).toEqual(
      cannot(new RegExp(`^/a: makes ${text.source}`)),
    );
    expect(await failure({ a: 'x{{ $decodeUrlComponent("%00") }}' })).toEqual(cannot(text));
    expect(await failure({ a: '{{ $split("\u{1F600}", "")[0] }}' })).toEqual(cannot(text));
    expect(await failure({ a: '{{ { $base64decode("AA=="): 1 } }}' })).toEqual(cannot(text));
    expect(await failure({ b: ['{{ input.n / 0 }}'] })).toEqual(cannot(/^\/b\/0: makes the number Infinity, which/));
    expect(await failure({ c: '{{ [1, -input.n / 0] }}' })).toEqual(cannot(/-Infinity/));
    // What can be stored is kept as it is: a paired surrogate (an emoji), a tab, a lone surrogate's neighbours.
    expect(await render({ a: '{{ "\u{1F600}\t" }}', b: '{{ 1e308 }}' })).toEqual({ a: '\u{1F600}\t', b: 1e308 });
  });

  it('stops an expression that never ends once its time is up', async () => {
    const short = { ...limits, timeoutMs: 300 };
    expect(await failure({ x: '{{ ($f := function($x){ $f($x) }; $f(1)) }}' }, short)).toEqual({
      code: 'TEMPLATE_TIMEOUT',
      message: '/x: did not finish within 300 ms',
    });
    expect((await failure({ x: `{{ $eval('($f := function($x){ $f($x) }; $f(1))') }}` }, short)).code).toBe(
      'TEMPLATE_TIMEOUT',
    );
  });

  it('parses an expression once for many renderings, each under its own budget and context', async () => {
    const short = { ...limits, timeoutMs: 200 };
    const loop = { x: '{{ ($f := function($x){ $f($x) }; $f(1)) }}' };
    for (let i = 0; i < 2; i += 1) expect((await failure(loop, short)).code).toBe('TEMPLATE_TIMEOUT');
    const results = [];
    for (const n of [1, 2, 3])
      results.push(JSON.parse(await renderTemplatesToJson('{{ input.n * 2 }}', { input: { n } }, limits)));
    expect(results).toEqual([2, 4, 6]);
  });

  it('stops runaway recursion at the depth limit', async () => {
    expect(await failure({ x: '{{ ($f := function($x){ 1 + $f($x + 1) }; $f(1)) }}' })).toEqual({
      code: 'TEMPLATE_TOO_DEEP',
      message:
        '/x: recursed or nested deeper than 1000 evaluation frames (about 333 nested function calls: each takes 3)',
    });
    // Legitimate recursion within the limit still works, up to the number of calls the message names.
    const calls = (n: number) => `{{ ($f := function($x){ $x <= 0 ? 0 : 1 + $f($x - 1) }; $f(${n})) }}`;
    expect(await render(calls(100))).toBe(100);
    expect(await render(calls(320))).toBe(320);
    expect((await failure({ x: calls(345) })).code).toBe('TEMPLATE_TOO_DEEP');
  });

  it('refuses ranges and sequences longer than the sequence limit before allocating them', async () => {
    expect(await failure({ x: '{{ $sum([1..10000000]) }}' })).toEqual({
      code: 'TEMPLATE_TOO_LARGE',
      message: '/x: builds a sequence of more than 100000 items',
    });
    expect((await failure({ x: '{{ $count([1..60000, 1..60000]) }}' })).code).toBe('TEMPLATE_TOO_LARGE');
    expect(await render('{{ $sum([1..1000]) }}')).toBe(500500);
  });

  it('refuses a rendered input larger than the output limit', async () => {
    expect(await failure({ x: 'a{{ $pad("", 20000, "y") }}' })).toEqual({
      code: 'TEMPLATE_TOO_LARGE',
      message: '/x: the rendered input is larger than 10000 bytes',
    });
  });

  it('counts the values of all expressions together, refusing the one that passes the output limit', async () => {
    const each = '{{ $pad("", 4000, "y") }}';
    expect(await failure({ a: each, b: [`at ${each}`], c: each, d: each })).toEqual({
      code: 'TEMPLATE_TOO_LARGE',
      message: '/c: the rendered input is larger than 10000 bytes',
    });
    expect(await render({ a: each, b: [`at ${each}`] })).toEqual({
      a: 'y'.repeat(4000),
      b: [`at ${'y'.repeat(4000)}`],
    });
  });

  it('checks templates by parsing only, bounding what it parses', () => {
    expect(
      templateProblems([
        { fine: '{{ ($f := function($x){ $f($x) }; $f(1)) }}', text: 'a {{ input.n }} b' },
        { broken: '{{ input.n + }}' },
        { nested: `{{ ${'('.repeat(200)}1${')'.repeat(200)} }}`, quoted: '{{ "((((((" }}' },
        { long: `{{ ${'1+'.repeat(MAX_EXPRESSION_LENGTH)}1 }}` },
        // No bracket, but a chain of operators: each one a level of the syntax tree.
        { chained: `{{ ${'1+'.repeat(2000)}1 }}`, fine: `{{ ${'1+'.repeat(MAX_SYNTAX_DEPTH - 2)}1 }}` },
      ]),
    ).toEqual([
      { path: '/1/broken', message: expect.any(String) },
      { path: '/2/nested', message: 'the expression is nested more than 100 levels deep' },
      { path: '/3/long', message: `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters` },
      {
        path: '/4/chained',
        message: `the expression chains or nests more than ${MAX_SYNTAX_DEPTH} operations (its syntax tree is too deep)`,
      },
    ]);
  });

  it('evaluates the longest chain of operators it accepts', async () => {
    expect(await render(`{{ ${'1+'.repeat(MAX_SYNTAX_DEPTH - 2)}1 }}`)).toBe(MAX_SYNTAX_DEPTH - 1);
  });
});
