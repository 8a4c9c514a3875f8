import { Worker } from 'node:worker_threads';
import { loadConfig } from '../config/app-config';
import { TemplateEvaluator } from './template-evaluator';
import { TemplateError } from './templates';
import { TemplateEvaluatorClosedError } from './workflows.errors';

/** Out of JSONata's reach: a regular expression that backtracks for ages inside one native call. */
const UNCHECKED_LOOP = `{{ $contains("${'a'.repeat(40)}!", /^(a+)+$/) }}`;
/** The user on whose behalf these templates are evaluated. */
const OWNER = 'user-1';

function evaluator(env: Record<string, string> = {}): TemplateEvaluator {
  return new TemplateEvaluator(
    loadConfig({ NODE_ENV: 'test', WORKFLOW_TEMPLATE_TIMEOUT_MS: '300', WORKFLOW_TEMPLATE_THREADS: '1', ...env }),
  );
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err as TemplateError,
  );

describe('TemplateEvaluator', () => {
  let templates: TemplateEvaluator;
  afterEach(async () => {
    await templates.onModuleDestroy();
  });

  it('renders on a thread, keeping types', async () => {
    templates = evaluator();
    await expect(
      templates.render({ n: '{{ input.n + 1 }}', s: 'n={{ input.n }}', o: '{{ input }}' }, { input: { n: 1 } }, OWNER),
    ).resolves.toEqual({ n: 2, s: 'n=1', o: { n: 1 } });
  }, 30_000);

  it('terminates a thread that outruns its budget, answers meanwhile, and replaces the thread', async () => {
    templates = evaluator();
    await templates.render('{{ 1 }}', {}, OWNER);
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 10);
    const err = await failure(templates.render({ loop: UNCHECKED_LOOP }, {}, OWNER));
    clearInterval(ticker);
    expect(err).toBeInstanceOf(TemplateError);
    expect(err).toEqual(
      expect.objectContaining({ code: 'TEMPLATE_TIMEOUT', message: '/: did not finish within 300 ms' }),
    );
    expect(ticks).toBeGreaterThanOrEqual(3);
    await expect(templates.render('{{ 6 * 7 }}', {}, OWNER)).resolves.toBe(42);
  }, 30_000);

  it('fails an evaluation that outgrows the thread heap with TEMPLATE_TOO_LARGE', async () => {
    templates = evaluator({ WORKFLOW_TEMPLATE_HEAP_MB: '16', WORKFLOW_TEMPLATE_TIMEOUT_MS: '20000' });
    await templates.render('{{ 1 }}', {}, OWNER);
    const err = await failure(
      templates.render('{{ $count([1..1000000].($string($) & "-some-padding-text")) }}', {}, OWNER),
    );
    expect(err).toEqual(expect.objectContaining({ code: 'TEMPLATE_TOO_LARGE' }));
    expect(err?.message).toMatch(/16 MB/);
    await expect(templates.render('{{ 2 }}', {}, OWNER)).resolves.toBe(2);
  }, 60_000);

  // One allocation far beyond the heap limit is not stopped by it: V8 ends the whole process (this test's too).
  it.each([
    ['pads a string to 100 million characters', `{{ $pad('x', 100000000) }}`],
    ['doubles a string 27 times', `{{ $reduce([1..27], function($s, $i) { $s & $s }, 'x') }}`],
    ['doubles a string 27 times and reads it', `{{ $uppercase($reduce([1..27], function($s, $i) { $s & $s }, 'x')) }}`],
    ['writes one long string listed a thousand times', `{{ ($s := $pad('x', 500000); $string([1..1000].$s)) }}`],
    ['joins one long string listed a thousand times', `{{ ($s := $pad('x', 500000); $join([1..1000].$s)) }}`],
    ['renders one long string listed a thousand times', `{{ ($s := $pad('x', 500000); [1..1000].$s) }}`],
    ['embeds one long string listed a thousand times', `at {{ ($s := $pad('x', 500000); [1..1000].$s) }}`],
    ['pads through $eval', `{{ $eval("$pad('x', 100000000)") }}`],
  ])(
    'fails a template that %s with TEMPLATE_TOO_LARGE, before making it',
    async (_, template) => {
      templates = evaluator({ WORKFLOW_TEMPLATE_HEAP_MB: '16', WORKFLOW_TEMPLATE_TIMEOUT_MS: '20000' });
      const err = await failure(templates.render({ big: template }, {}, OWNER));
      expect(err).toEqual(expect.objectContaining({ code: 'TEMPLATE_TOO_LARGE', path: '/big' }));
      await expect(templates.render('{{ 2 }}', {}, OWNER)).resolves.toBe(2);
    },
    60_000,
  );

  it('fails many values that fit the output limit one by one, but not together, before making them all', async () => {
    templates = evaluator({ WORKFLOW_TEMPLATE_HEAP_MB: '16', WORKFLOW_TEMPLATE_TIMEOUT_MS: '20000' });
    const input = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, `{{ $pad('x', 900000) }}`]));
    const err = await failure(templates.render(input, {}, OWNER));
    expect(err).toEqual(expect.objectContaining({ code: 'TEMPLATE_TOO_LARGE', path: '/k1' }));
  }, 60_000);

  it('keeps what the guarded functions do within the bounds', async () => {
    templates = evaluator({ WORKFLOW_TEMPLATE_HEAP_MB: '16' });
    const rendered = (await templates.render(
      {
        padded: `{{ $pad('x', -5, '-') }}`,
        joined: `{{ $join(['a', 'b'], ', ') }}`,
        text: `{{ $string({ 'a': [1, { 'b': null } ], 'f': function() { 1 } }, true) }}`,
        long: `{{ $pad('y', 1000000, 'y') }}`,
      },
      {},
      OWNER,
    )) as Record<string, string>;
    const { long, ...short } = rendered;
    expect(short).toEqual({
      padded: '----x',
      joined: 'a, b',
      text: JSON.stringify({ a: [1, { b: null }], f: '' }, null, 2),
    });
    expect(long.length === 1_000_000 && /^y+$/.test(long)).toBe(true);
  }, 30_000);

  it('fails a template whose value is a function with TEMPLATE_ERROR, naming no internals', async () => {
    templates = evaluator();
    const err = await failure(templates.render({ f: '{{ function($x) { $x } }}' }, {}, OWNER));
    expect(err).toEqual(expect.objectContaining({ code: 'TEMPLATE_ERROR', path: '/f' }));
    expect(err?.detail).toBe('evaluates to a function, which is not a value an input can hold');
  }, 30_000);

  it('evaluates several templates at once on its threads, queueing the rest', async () => {
    templates = evaluator({ WORKFLOW_TEMPLATE_THREADS: '2' });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => templates.render(`{{ ${i} * 2 }}`, {}, OWNER)),
    );
    expect(results).toEqual([0, 2, 4, 6, 8, 10]);
  }, 30_000);

  it('sends queued renderings to a thread together, and one that outruns its budget fails alone', async () => {
    templates = evaluator();
    await templates.render('{{ 1 }}', {}, OWNER);
    const renders = [1, 2, 3].map((n) => templates.render(`{{ ${n} }}`, {}, OWNER));
    // Queued behind the first, the rest go in one message; those after the loop had not begun, and are sent
    // again to the thread that replaces this one.
    const rest = [
      failure(templates.render({ loop: UNCHECKED_LOOP }, {}, OWNER)),
      ...[4, 5, 6].map((n) => templates.render(`{{ input.n * ${n} }}`, { input: { n: 2 } }, OWNER)),
    ];
    await expect(Promise.all(renders)).resolves.toEqual([1, 2, 3]);
    const [err, ...after] = await Promise.all(rest);
    expect(err).toEqual(expect.objectContaining({ code: 'TEMPLATE_TIMEOUT' }));
    expect(after).toEqual([8, 10, 12]);
  }, 30_000);

  it('only parses when checking, and reports what does not parse', async () => {
    templates = evaluator();
    await expect(
      templates.problems([{ loop: UNCHECKED_LOOP, bad: '{{ 1 + }}' }, { ok: 'x {{ input }}' }], OWNER),
    ).resolves.toEqual([{ path: '/0/bad', message: expect.any(String) }]);
  }, 30_000);

  it('checks many values in jobs of at most 50, the paths counting from the first value', async () => {
    templates = evaluator({ WORKFLOW_TEMPLATE_THREADS: '2' });
    const posted = jest.spyOn(Worker.prototype, 'postMessage');
    const bad = new Set([0, 49, 50, 119]);
    const values = Array.from({ length: 120 }, (_, i) => ({ url: bad.has(i) ? '{{ 1 + }}' : `{{ input.n${i} }}` }));
    const problems = await templates.problems(values, OWNER);
    expect(problems.map((p) => p.path)).toEqual(['/0/url', '/49/url', '/50/url', '/119/url']);
    const jobs = posted.mock.calls.flatMap(([message]) => message as { kind: string; value: unknown[] }[]);
    expect(jobs.map((job) => [job.kind, job.value.length])).toEqual([
      ['check', 50],
      ['check', 50],
      ['check', 20],
    ]);
    posted.mockRestore();
    await expect(templates.problems([], OWNER)).resolves.toEqual([]);
  }, 30_000);

  it('on close, rejects what is running and refuses new work', async () => {
    templates = evaluator({ WORKFLOW_TEMPLATE_TIMEOUT_MS: '60000' });
    await templates.render('{{ 1 }}', {}, OWNER);
    const running = failure(templates.render(UNCHECKED_LOOP, {}, OWNER));
    const queued = failure(templates.render('{{ 2 }}', {}, OWNER));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await templates.onModuleDestroy();
    expect(await running).toBeInstanceOf(TemplateEvaluatorClosedError);
    expect(await queued).toBeInstanceOf(TemplateEvaluatorClosedError);
    await expect(templates.render('{{ 3 }}', {}, OWNER)).rejects.toBeInstanceOf(TemplateEvaluatorClosedError);
  }, 30_000);
});
