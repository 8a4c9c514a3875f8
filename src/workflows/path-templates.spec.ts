import { NEEDS_JSONATA, onlyPaths, renderPaths } from './path-templates';
import { renderTemplatesToJson, TemplateError } from './templates';

const limits = {
  timeoutMs: 1000,
  maxDepth: 100,
  maxSequence: 10_000,
  maxOutputBytes: 1_000_000,
  maxStringLength: 1_000_000,
};
const byJsonata = async (value: unknown, context: unknown) =>
  JSON.parse(await renderTemplatesToJson(value, context, limits)) as unknown;

const context = {
  input: { base: 2, name: 'ada', none: null, flag: false, zero: -0, empty: {}, list: [1, [2], { a: 3 }] },
  steps: {
    start: { status: 'succeeded', output: { result: 4, items: [{ id: 1 }, { id: 2 }], deep: { x: { y: 'z' } } } },
    _other: { status: 'failed', output: null },
  },
};

describe('renderPaths', () => {
  // Each renders here, without JSONata, to what JSONata renders.
  const inline: unknown[] = [
    '{{ steps.start.output.result }}',
    '{{steps.start.output.deep}}',
    '{{ steps.start.output.items }}',
    '{{ input.list }}',
    '{{ input.none }}',
    '{{ input.flag }}',
    '{{ input.zero }}',
    '{{ input.empty }}',
    '{{ input.missing }}',
    '{{ input.missing.deeper }}',
    '{{ input.name.length }}',
    '{{ input.none.x }}',
    '{{ input.base.x }}',
    '{{ input.constructor }}',
    '{{ input.__proto__ }}',
    '{{ steps._other.output }}',
    'Hello {{ input.name }}, {{ steps.start.output.result }} and {{ input.list }} {{ input.missing }}',
    { a: ['{{ input.base }}', { b: 'x{{ steps.start.output.deep.x.y }}y' }], c: 1, d: null, e: 'plain' },
    'no template',
    42,
  ];
  it.each(inline.map((value) => [JSON.stringify(value), value]))('renders %s as JSONata does', async (_name, value) => {
    const rendered = renderPaths(value, context, limits.maxOutputBytes);
    expect(rendered).not.toBe(NEEDS_JSONATA);
    expect(rendered).toEqual(await byJsonata(value, context));
  });

  // JSONata's own rules apply: expressions, and fields read from arrays (which JSONata maps over).
  it.each([
    '{{ input.base + 1 }}',
    '{{ $string(input.base) }}',
    '{{ steps.start.output.items.id }}',
    '{{ input.list.a }}',
    '{{ input.true }}',
    '{{ steps["start"].output }}',
    '{{ steps.start.output.result }} and {{ input.base * 2 }}',
    { a: ['{{ input.base }}', '{{ input.name & "!" }}'] },
  ])('leaves %j to JSONata', (value) => {
    expect(renderPaths(value, context, limits.maxOutputBytes)).toBe(NEEDS_JSONATA);
  });

  it('returns a copy, not the context', () => {
    const rendered = renderPaths('{{ steps.start.output.deep }}', context, limits.maxOutputBytes) as object;
    expect(rendered).toEqual(context.steps.start.output.deep);
    expect(rendered).not.toBe(context.steps.start.output.deep);
  });

  it('refuses a short input repeating a long value before building its text', () => {
    let reads = 0;
    const input = {};
    Object.defineProperty(input, 'text', { enumerable: true, get: () => ((reads += 1), 'x'.repeat(20_000)) });
    const many = Array.from({ length: 50_000 }, () => '{{ input.text }}');
    expect(() => renderPaths(many, { input }, 1_000_000)).toThrow(
      expect.objectContaining({ code: 'TEMPLATE_TOO_LARGE' }) as Error,
    );
    // It stopped once the copies passed the limit (about fifty), not after building all fifty thousand.
    expect(reads).toBeGreaterThan(40);
    expect(reads).toBeLessThan(60);
  });

  it('keeps the size limit of a rendering', () => {
    const big = { input: { text: 'x'.repeat(2000) } };
    expect(() => renderPaths({ a: '{{ input.text }}' }, big, 1000)).toThrow(TemplateError);
    try {
      renderPaths({ a: '{{ input.text }}' }, big, 1000);
    } catch (err) {
      expect((err as TemplateError).code).toBe('TEMPLATE_TOO_LARGE');
    }
  });

  it('tells a definition whose templates are all plain paths', () => {
    expect(onlyPaths({ x: '{{ steps.a.output.b }}', y: 'n = {{ input.n }}', z: 3 })).toBe(true);
    expect(onlyPaths({ x: '{{ steps.a.output.b }}', y: '{{ input.n + 1 }}' })).toBe(false);
    expect(onlyPaths({ x: '{{ input.and }}' })).toBe(false);
  });
});
