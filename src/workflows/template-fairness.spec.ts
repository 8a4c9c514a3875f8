import { Worker } from 'node:worker_threads';
import { loadConfig } from '../config/app-config';
import { TemplateEvaluator } from './template-evaluator';
import type { TemplateRequest } from './template-worker';

/** Runs until its time is up, then fails with TEMPLATE_TIMEOUT: the thread answers it and lives on. */
const SLOW = '{{ ($f := function($x){ $f($x) }; $f(1)) }}';
/** Out of JSONata's reach: only terminating the thread stops it. */
const UNCHECKED_LOOP = `{{ $contains("${'a'.repeat(40)}!", /^(a+)+$/) }}`;
/** Outgrows a 16 MB thread heap: the thread dies. */
const OUT_OF_MEMORY = '{{ $count([1..1000000].($string($) & "-some-padding-text")) }}';

function evaluator(env: Record<string, string> = {}): TemplateEvaluator {
  return new TemplateEvaluator(
    loadConfig({ NODE_ENV: 'test', WORKFLOW_TEMPLATE_TIMEOUT_MS: '300', WORKFLOW_TEMPLATE_THREADS: '1', ...env }),
  );
}

/** What each rendering ended with, and the order the renderings ended in, by label. */
class Outcomes {
  readonly order: string[] = [];
  readonly results = new Map<string, unknown>();

  track(label: string, rendering: Promise<unknown>): Promise<void> {
    return rendering.then(
      (value) => this.end(label, value),
      (err: { code?: string }) => this.end(label, { failed: err.code }),
    );
  }

  /** How many renderings with labels starting with `prefix` had ended before `label` did. */
  endedBefore(label: string, prefix: string): number {
    return this.order.slice(0, this.order.indexOf(label)).filter((l) => l.startsWith(prefix)).length;
  }

  private end(label: string, value: unknown): void {
    this.order.push(label);
    this.results.set(label, value);
  }
}

/** Renders a few fast templates for `owner`, one after the other, so that the pool knows them to be fast. */
async function measureFast(templates: TemplateEvaluator, owner: string): Promise<void> {
  for (let n = 0; n < 12; n += 1) await templates.render(`{{ ${n} + 1 }}`, {}, owner);
}

/** The requests of each message posted to the threads. */
function postedMessages(posted: jest.SpyInstance): TemplateRequest[][] {
  return posted.mock.calls.map(([message]) => message as TemplateRequest[]);
}

describe('TemplateEvaluator sharing its threads between owners', () => {
  let templates: TemplateEvaluator;
  let posted: jest.SpyInstance;
  beforeEach(() => {
    posted = jest.spyOn(Worker.prototype, 'postMessage');
  });
  afterEach(async () => {
    posted.mockRestore();
    await templates.onModuleDestroy();
  });

  it("answers another owner's template between one owner's slow ones, however many are queued", async () => {
    templates = evaluator();
    const outcomes = new Outcomes();
    const slow = Array.from({ length: 8 }, (_, i) => outcomes.track(`a${i}`, templates.render(SLOW, {}, 'alice')));
    const fast = outcomes.track('b', templates.render('{{ input.n * 2 }}', { input: { n: 21 } }, 'bob'));
    await fast;
    expect(outcomes.results.get('b')).toBe(42);
    expect(outcomes.endedBefore('b', 'a')).toBeLessThanOrEqual(2);
    await Promise.all(slow);
    expect(outcomes.order.filter((l) => l.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']);
    for (let i = 0; i < 8; i += 1) expect(outcomes.results.get(`a${i}`)).toEqual({ failed: 'TEMPLATE_TIMEOUT' });
  }, 30_000);

  it('takes back the rest of a message once an owner known to be fast turns slow, for the others waiting', async () => {
    templates = evaluator();
    await measureFast(templates, 'alice');
    const outcomes = new Outcomes();
    // Keeps the thread busy while the rest queue: alice's slow ones then go in one message, bob's not with them.
    const first = outcomes.track('first', templates.render(SLOW, {}, 'carol'));
    const slow = Array.from({ length: 8 }, (_, i) => outcomes.track(`a${i}`, templates.render(SLOW, {}, 'alice')));
    const fast = outcomes.track('b', templates.render('{{ input.n * 2 }}', { input: { n: 21 } }, 'bob'));
    await fast;
    expect(outcomes.results.get('b')).toBe(42);
    expect(outcomes.endedBefore('b', 'a')).toBeLessThanOrEqual(2);
    await Promise.all([first, ...slow]);
    expect(outcomes.order.filter((l) => l.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']);
    // More of alice's went in one message than bob waited for: it was taken back after its first rendering.
    expect(Math.max(...postedMessages(posted).map((m) => m.length))).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it("renders many of one owner's fast templates in few messages, each result for its own request", async () => {
    templates = evaluator({ WORKFLOW_TEMPLATE_THREADS: '2' });
    await measureFast(templates, 'alice');
    posted.mockClear();
    const count = 300;
    const results = await Promise.all(
      Array.from({ length: count }, (_, n) => templates.render({ n: '{{ input.n * 2 }}' }, { input: { n } }, 'alice')),
    );
    expect(results).toEqual(Array.from({ length: count }, (_, n) => ({ n: n * 2 })));
    const messages = postedMessages(posted);
    expect(messages.flat()).toHaveLength(count);
    expect(messages.length).toBeLessThan(count / 5);
  }, 30_000);

  it.each([
    ['outruns its budget', UNCHECKED_LOOP, 'TEMPLATE_TIMEOUT', {}],
    [
      'runs out of memory',
      OUT_OF_MEMORY,
      'TEMPLATE_TOO_LARGE',
      { WORKFLOW_TEMPLATE_HEAP_MB: '16', WORKFLOW_TEMPLATE_TIMEOUT_MS: '20000' },
    ],
  ])(
    "loses or mixes up no other owner's renderings when one %s",
    async (_, template, code, env) => {
      templates = evaluator(env);
      await measureFast(templates, 'alice');
      await measureFast(templates, 'bob');
      const outcomes = new Outcomes();
      const first = outcomes.track('first', templates.render('{{ 1 }}', {}, 'alice'));
      const rest = [
        outcomes.track('a-bad', templates.render({ bad: template }, {}, 'alice')),
        ...[1, 2, 3].map((n) =>
          outcomes.track(`b${n}`, templates.render('{{ input.n * 10 }}', { input: { n } }, 'bob')),
        ),
        outcomes.track('a-ok', templates.render('{{ input.s & "!" }}', { input: { s: 'alice' } }, 'alice')),
      ];
      await Promise.all([first, ...rest]);
      expect(Object.fromEntries(outcomes.results)).toEqual({
        first: 1,
        'a-bad': { failed: code },
        b1: 10,
        b2: 20,
        b3: 30,
        'a-ok': 'alice!',
      });
      // The failing rendering was sent with bob's: those not begun went back to the queue, and were answered.
      const failing = postedMessages(posted).find((m) => m.some((r) => JSON.stringify(r.value).includes('bad')));
      expect(failing?.filter((r) => r.kind === 'render' && JSON.stringify(r.context).includes('"n"'))).toHaveLength(3);
    },
    60_000,
  );
});
