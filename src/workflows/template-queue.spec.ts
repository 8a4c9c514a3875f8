import { TemplateQueue } from './template-queue';

interface Job {
  owner: string;
  n: number;
}

const TARGET_MS = 30;

/** A queue holding `count` jobs of each owner named, numbered from 1 within each owner. */
function queueOf(owners: Record<string, number>): TemplateQueue<Job> {
  const queue = new TemplateQueue<Job>(TARGET_MS);
  for (const [owner, count] of Object.entries(owners)) for (let n = 1; n <= count; n += 1) queue.push({ owner, n });
  return queue;
}

const names = (jobs: Job[]) => jobs.map((j) => `${j.owner}${j.n}`);

describe('TemplateQueue', () => {
  it('sends one job of an owner whose cost is not known, and measures it before sending more', () => {
    const queue = queueOf({ a: 5 });
    expect(names(queue.take(50))).toEqual(['a1']);
    queue.measured('a', 2);
    expect(names(queue.take(50))).toEqual(['a2', 'a3', 'a4', 'a5']);
    expect(queue.size).toBe(0);
    expect(queue.take(50)).toEqual([]);
  });

  it('takes jobs while their expected time stays within the target, and never more than asked', () => {
    const queue = queueOf({ a: 100 });
    queue.measured('a', 7);
    expect(names(queue.take(50))).toEqual(['a1', 'a2', 'a3', 'a4']);
    queue.measured('a', 0.1);
    // A measurement moves the cost a quarter of the way towards it: 7 ms, then 5.275 ms.
    expect(queue.costOf('a')).toBeCloseTo(5.275);
    expect(queue.take(50)).toHaveLength(5);
    for (let i = 0; i < 30; i += 1) queue.measured('a', 0.1);
    expect(queue.take(50)).toHaveLength(50);
    expect(queue.take(10)).toHaveLength(10);
    expect(queue.size).toBe(31);
  });

  it('raises the cost of an owner at once when a job turns slow, sending its jobs one at a time', () => {
    const queue = queueOf({ a: 10 });
    queue.measured('a', 1);
    queue.measured('a', 9);
    // Slower, though not slow: a quarter of the way.
    expect(queue.costOf('a')).toBe(3);
    queue.measured('a', 900);
    expect(queue.costOf('a')).toBe(900);
    expect(names(queue.take(50))).toEqual(['a1']);
    expect(names(queue.take(50))).toEqual(['a2']);
  });

  it('takes jobs round-robin across owners, first in first out within each', () => {
    const queue = queueOf({ a: 6, b: 2, c: 3 });
    for (const owner of ['a', 'b', 'c']) queue.measured(owner, 1);
    expect(names(queue.take(50))).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'c2', 'a3', 'c3', 'a4', 'a5', 'a6']);
  });

  it('gives each owner its turn, however long the queue of the one before it', () => {
    const queue = queueOf({ a: 500, b: 1, c: 1 });
    expect(names(queue.take(50))).toEqual(['a1']);
    expect(names(queue.take(50))).toEqual(['b1']);
    expect(names(queue.take(50))).toEqual(['c1']);
    expect(names(queue.take(50))).toEqual(['a2']);
  });

  it('fills a message with the fast owners, leaving a slow or unknown one for a message of its own', () => {
    const queue = queueOf({ slow: 3, fast: 4, fresh: 2 });
    queue.measured('slow', 1000);
    queue.measured('fast', 1);
    expect(names(queue.take(50))).toEqual(['slow1']);
    expect(names(queue.take(50))).toEqual(['fast1', 'fast2', 'fast3', 'fast4']);
    expect(names(queue.take(50))).toEqual(['fresh1']);
    expect(names(queue.take(50))).toEqual(['slow2']);
  });

  it('starts a message with the owner holding the fewest threads', () => {
    const queue = queueOf({ a: 3, b: 3, c: 3 });
    expect(names(queue.take(50, new Map([['a', 1]])))).toEqual(['b1']);
    expect(
      names(
        queue.take(
          50,
          new Map([
            ['a', 2],
            ['b', 1],
            ['c', 1],
          ]),
        ),
      ),
    ).toEqual(['c1']);
    expect(
      names(
        queue.take(
          50,
          new Map([
            ['a', 1],
            ['b', 1],
            ['c', 1],
          ]),
        ),
      ),
    ).toEqual(['a1']);
  });

  it('puts jobs back at the front of their owners’ queues, in their order, those owners first', () => {
    const queue = queueOf({ a: 3, b: 2 });
    for (const owner of ['a', 'b', 'c']) queue.measured(owner, 1);
    queue.putBack([
      { owner: 'b', n: 0 },
      { owner: 'c', n: 8 },
      { owner: 'b', n: -1 },
      { owner: 'c', n: 9 },
    ]);
    expect(queue.size).toBe(9);
    expect(names(queue.take(50))).toEqual(['b0', 'c8', 'a1', 'b-1', 'c9', 'a2', 'b1', 'a3', 'b2']);
  });

  it('tells whether another owner waits, and drains every job', () => {
    const queue = queueOf({ a: 2 });
    expect(queue.waitingBesides('a')).toBe(false);
    expect(queue.waitingBesides('b')).toBe(true);
    queue.push({ owner: 'b', n: 1 });
    expect(queue.waitingBesides('a')).toBe(true);
    expect(names(queue.drain())).toEqual(['a1', 'a2', 'b1']);
    expect(queue.size).toBe(0);
    expect(queue.waitingBesides('b')).toBe(false);
  });

  it('forgets the costs of the least recently measured owners beyond its bound', () => {
    const queue = new TemplateQueue<Job>(TARGET_MS);
    for (let i = 0; i <= 10_000; i += 1) queue.measured(`user-${i}`, 1);
    expect(queue.costOf('user-0')).toBe(Number.POSITIVE_INFINITY);
    expect(queue.costOf('user-1')).toBe(1);
    expect(queue.costOf('user-10000')).toBe(1);
  });
});
