import type { SoakOptions } from './soak-options';

/**
 * The soak's tasks, made again from the seed: calculator expressions and slow tasks for the remote agent,
 * each with the output the client knows to be right.
 */

/** mulberry32: a small seeded generator, so a run's inputs can be made again. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One task of the run; `id` once the API has accepted it. */
export interface Planned {
  index: number;
  key: string;
  slow: boolean;
  input: Record<string, unknown>;
  expected: unknown;
  id?: string;
  /** Set when the client gave up on the submission. */
  unsubmitted?: string;
}

/** Slow tasks' remote: `{sum: a + b, tag: <tag reversed>}`. */
export function remoteAnswer(input: { a: number; b: number; tag: string }): { sum: number; tag: string } {
  return { sum: input.a + input.b, tag: [...input.tag].reverse().join('') };
}

/** `options.tasks` tasks, a `slowShare` of them slow; the Idempotency-Key of each is unique to the run. */
export function plan(options: SoakOptions, runId: string): Planned[] {
  const random = seeded(options.seed);
  const int = (max: number): number => Math.floor(random() * max);
  return Array.from({ length: options.tasks }, (_, index): Planned => {
    const key = `soak-${runId}-${index}`;
    if (random() < options.slowShare) {
      const input = { a: int(1_000_000), b: int(1_000_000), tag: int(2 ** 31).toString(36) };
      return { index, key, slow: true, input, expected: remoteAnswer(input) };
    }
    const [a, b, x] = [int(10_000), int(10_000), int(10_000)];
    return random() < 0.5
      ? {
          index,
          key,
          slow: false,
          input: { expression: `${a} * x + ${b}`, variables: { x } },
          expected: { result: a * x + b },
        }
      : {
          index,
          key,
          slow: false,
          input: { expression: `(${a} + x) * 3 - ${b}`, variables: { x } },
          expected: { result: (a + x) * 3 - b },
        };
  });
}
