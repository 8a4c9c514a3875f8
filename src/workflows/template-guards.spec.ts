import jsonata from 'jsonata';
import { jsonLengthUpTo, maxStringLength } from './template-guards';
import { TemplateError } from './templates';

const VALUES: unknown[] = [
  null,
  true,
  0,
  -1.5e-7,
  1e21,
  '',
  'plain',
  'quote " backslash \\ tab \t newline \n bell \u0007',
  'emoji 😀 and a lone surrogate \ud800 and \udc00',
  [],
  {},
  [1, [2, [3, []]], {}],
  { a: 1, b: [true, null, { c: 'x' }], d: {}, e: [], 'key "quoted"': 'v' },
  { skipped: undefined, kept: 1 },
  [undefined, 1],
  Array.from({ length: 50 }, (_, i) => ({ i, s: 'é'.repeat(i) })),
];

describe('jsonLengthUpTo', () => {
  it.each(VALUES.map((v) => [JSON.stringify(v) ?? 'undefined', v]))(
    'counts what JSON.stringify writes for %s, compact and indented',
    (_, value) => {
      // As `$string` counts: a step's input refuses a lone surrogate (templates.spec.ts).
      const asString = { functions: 'empty' } as const;
      expect(jsonLengthUpTo(value, 1e9, asString)).toBe(JSON.stringify(value)?.length ?? 4);
      expect(jsonLengthUpTo(value, 1e9, { ...asString, indent: 2 })).toBe(JSON.stringify(value, null, 2)?.length ?? 4);
    },
  );

  it('gives up past its bound, in steps bounded by it, for a value listing one long string many times', () => {
    const long = 'x'.repeat(1_000_000);
    const listed = Array.from({ length: 1_000_000 }, () => long); // a terabyte of JSON
    expect(jsonLengthUpTo(listed, 4_000_000)).toBe(4_000_001);
    const nested = Array.from({ length: 100_000 }, () => ({ a: listed }));
    expect(jsonLengthUpTo(nested, 10)).toBe(11);
  });

  it('refuses a function, or counts it as "" the way $string writes it', async () => {
    const lambda = await jsonata('function($x) { $x }').evaluate(null);
    const builtin = await jsonata('$pad').evaluate(null);
    for (const f of [lambda, builtin, () => 1]) {
      expect(() => jsonLengthUpTo({ f }, 1e9)).toThrow(TemplateError);
      expect(jsonLengthUpTo({ f }, 1e9, { functions: 'empty' })).toBe(JSON.stringify({ f: '' }).length);
    }
  });
});

describe('maxStringLength', () => {
  it('is a sixteenth of the heap, in characters', () => {
    expect(maxStringLength(16)).toBe(1024 * 1024);
    expect(maxStringLength(64)).toBe(4 * 1024 * 1024);
  });
});
