import { NODE_HEIGHT, NODE_WIDTH, layoutSteps } from './workflow-layout';
import type { GraphStep } from './workflow-validation';

const steps = (...defs: [string, string[]][]): GraphStep[] =>
  defs.map(([id, dependsOn], index) => ({ index, id, dependsOn }));

const overlaps = (a: { x: number; y: number }, b: { x: number; y: number }) =>
  Math.abs(a.x - b.x) < NODE_WIDTH && Math.abs(a.y - b.y) < NODE_HEIGHT;

describe('layoutSteps', () => {
  it('puts each step below the steps it depends on, with an edge from each dependency', () => {
    const layout = layoutSteps(steps(['a', []], ['b', ['a']], ['c', ['a']], ['d', ['b', 'c']]));
    const y = Object.fromEntries(layout.nodes.map((n) => [n.step.id, n.y]));
    expect(y.b).toBeGreaterThan(y.a);
    expect(y.c).toBeGreaterThan(y.a);
    expect(y.d).toBeGreaterThan(Math.max(y.b, y.c));
    expect(y.b).toBe(y.c);
    expect(layout.edges.map((e) => e.key)).toEqual(['s0->s1', 's0->s2', 's1->s3', 's2->s3']);
    expect(layout.width).toBeGreaterThanOrEqual(2 * NODE_WIDTH);
    expect(layout.height).toBeGreaterThanOrEqual(3 * NODE_HEIGHT);
  });

  it('never puts two steps on top of each other', () => {
    const layout = layoutSteps(steps(['a', []], ['b', []], ['c', []], ['d', ['a', 'b', 'c']], ['e', ['a']]));
    for (const a of layout.nodes) {
      for (const b of layout.nodes) if (a !== b) expect(overlaps(a, b)).toBe(false);
    }
  });

  it('draws no edge to a missing step nor a step to itself, and keys steps by position', () => {
    const layout = layoutSteps(steps(['a', ['zzz', 'a']], ['a', []], ['b', ['a']]));
    expect(layout.nodes.map((n) => n.key)).toEqual(['s0', 's1', 's2']);
    expect(layout.edges.map((e) => e.key)).toEqual(['s0->s2']);
  });

  it('still lays out a cycle', () => {
    const layout = layoutSteps(steps(['a', ['b']], ['b', ['a']]));
    expect(layout.nodes).toHaveLength(2);
    expect(layout.edges).toHaveLength(2);
    expect(overlaps(layout.nodes[0], layout.nodes[1])).toBe(false);
    for (const node of layout.nodes) expect(Number.isFinite(node.x) && Number.isFinite(node.y)).toBe(true);
  });

  it('lays out nothing as nothing', () => {
    expect(layoutSteps([])).toMatchObject({ nodes: [], edges: [] });
  });
});
