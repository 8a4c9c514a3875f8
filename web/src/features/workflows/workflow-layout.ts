import { Graph, layout } from '@dagrejs/dagre';
import type { GraphStep } from './workflow-validation';

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 84;

export interface LaidOutNode {
  /** `s<index>`: a step's place in the definition (ids may repeat or be missing while typing). */
  key: string;
  step: GraphStep;
  /** Top-left corner, as xyflow places nodes. */
  x: number;
  y: number;
}

export interface LaidOutEdge {
  key: string;
  /** The dependency… */
  source: string;
  /** …and the step that needs it: work flows from source to target. */
  target: string;
}

export interface Layout {
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  width: number;
  height: number;
}

export const nodeKey = (index: number) => `s${index}`;

/**
 * The steps' graph as dagre lays it out, top to bottom in the direction work flows: an edge from each
 * dependency to the step that depends on it. A dependency on a missing step draws no edge; a repeated id
 * is the first step with it; a cycle is still drawn (dagre reverses an edge of it to rank the rest).
 */
export function layoutSteps(
  steps: GraphStep[],
  size: { width: number; height: number } = { width: NODE_WIDTH, height: NODE_HEIGHT },
): Layout {
  const byId = new Map<string, GraphStep>();
  for (const step of steps) if (!byId.has(step.id)) byId.set(step.id, step);

  const edges: LaidOutEdge[] = [];
  const seen = new Set<string>();
  for (const step of steps) {
    for (const dep of step.dependsOn) {
      const from = byId.get(dep);
      if (!from) continue;
      const key = `${nodeKey(from.index)}->${nodeKey(step.index)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ key, source: nodeKey(from.index), target: nodeKey(step.index) });
    }
  }

  const graph = new Graph<{ rankdir: string; nodesep: number; ranksep: number; marginx: number; marginy: number }>();
  graph.setGraph({ rankdir: 'TB', nodesep: 32, ranksep: 56, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const step of steps) graph.setNode(nodeKey(step.index), { width: size.width, height: size.height });
  // A step depending on itself draws no edge: it would only loop back onto its own node.
  for (const edge of edges) if (edge.source !== edge.target) graph.setEdge(edge.source, edge.target);
  layout(graph);

  const nodes = steps.map((step) => {
    const placed = graph.node(nodeKey(step.index)) as { x: number; y: number };
    return { key: nodeKey(step.index), step, x: placed.x - size.width / 2, y: placed.y - size.height / 2 };
  });
  const label = graph.graph() as { width?: number; height?: number };
  return {
    nodes,
    edges: edges.filter((e) => e.source !== e.target),
    width: label.width ?? 0,
    height: label.height ?? 0,
  };
}
