import '@xyflow/react/dist/style.css';
import './workflows.css';
import { Button, Group } from '@mantine/core';
import {
  type Edge,
  Handle,
  MarkerType,
  type Node,
  type NodeProps,
  Panel,
  Position,
  ReactFlow,
  useReactFlow,
} from '@xyflow/react';
import { useEffect, useMemo } from 'react';
import { stepDoer } from './step-helpers';
import { layoutSteps } from './workflow-layout';
import type { GraphStep } from './workflow-validation';

export interface GraphProps {
  steps: GraphStep[];
  /** The graph's accessible name, e.g. "Graph of the workflow". */
  label: string;
  /** The agent's name for a step's agent id. */
  agentName: (agentId: string | undefined) => string;
  /** A step's live status (run view), by step index. */
  statuses?: ReadonlyMap<number, string>;
  /** A step's problems (editor), by step index. */
  problems?: ReadonlyMap<number, string[]>;
}

interface StepData extends Record<string, unknown> {
  id: string;
  /** The step's agent, or its kind when it has none (approval, wait); and how a screen reader says it. */
  agent: string;
  agentSpoken: string;
  status?: string;
  problems: string[];
}

type StepNode = Node<StepData, 'step'>;

const EDGE_COLOUR = '#5c6670';

function StepNodeView({ data }: NodeProps<StepNode>) {
  const invalid = data.problems.length > 0;
  return (
    <div className="wf-node" data-step={data.id} data-status={data.status} data-invalid={invalid || undefined}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="wf-node-id">{data.id}</div>
      <div className="wf-node-agent">{data.agent}</div>
      {data.status && <div className="wf-node-status">{data.status}</div>}
      {invalid && <div className="wf-node-problem">{data.problems[0]}</div>}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
      {/* An edge back up, in a cycle, leaves and enters on the right, round the side of the nodes. */}
      <Handle id="back-out" type="source" position={Position.Right} isConnectable={false} style={{ top: '70%' }} />
      <Handle id="back-in" type="target" position={Position.Right} isConnectable={false} style={{ top: '30%' }} />
    </div>
  );
}

const nodeTypes = { step: StepNodeView };

/** Zoom and fit as named buttons (xyflow's own controls panel carries a label without a role). */
function GraphControls({ shape }: { shape: string }) {
  const flow = useReactFlow();
  // The graph is fitted again whenever its shape changes (a step or a dependency added while typing).
  useEffect(() => {
    const timer = setTimeout(() => void flow.fitView({ padding: 0.15, maxZoom: 1 }), 0);
    return () => clearTimeout(timer);
  }, [flow, shape]);
  return (
    <Panel position="top-right">
      <Group gap={4} role="toolbar" aria-label="Graph view">
        <Button size="compact-xs" variant="default" onClick={() => void flow.zoomIn()}>
          Zoom in
        </Button>
        <Button size="compact-xs" variant="default" onClick={() => void flow.zoomOut()}>
          Zoom out
        </Button>
        <Button size="compact-xs" variant="default" onClick={() => void flow.fitView({ padding: 0.15, maxZoom: 1 })}>
          Fit
        </Button>
      </Group>
    </Panel>
  );
}

/** How a step reads to a screen reader: what the node shows, in a sentence. */
function nodeLabel(data: StepData): string {
  const parts = [`Step ${data.id}`, data.agentSpoken];
  if (data.status) parts.push(data.status);
  const text = parts.join(', ');
  return data.problems.length ? `${text}: ${data.problems.join('; ')}` : text;
}

/**
 * The steps as a graph, laid out by dagre (workflow-layout.ts) and drawn by xyflow: one node per step with
 * its id and agent (and its status or problems), an arrow from each dependency to the step that needs it.
 * Read-only: nodes can be focused (Tab) and read, not moved or connected.
 */
export function WorkflowGraph({ steps, label, agentName, statuses, problems }: GraphProps) {
  const layout = useMemo(() => layoutSteps(steps), [steps]);
  const byKey = useMemo(() => new Map(layout.nodes.map((n) => [n.key, n.step.id])), [layout]);

  const nodes = useMemo<StepNode[]>(
    () =>
      layout.nodes.map((n) => {
        const doer = stepDoer(n.step, agentName);
        const data: StepData = {
          id: n.step.id,
          agent: doer.shown,
          agentSpoken: doer.spoken,
          status: statuses?.get(n.step.index),
          problems: problems?.get(n.step.index) ?? [],
        };
        return {
          id: n.key,
          type: 'step',
          position: { x: n.x, y: n.y },
          data,
          ariaLabel: nodeLabel(data),
          draggable: false,
          connectable: false,
          selectable: false,
          deletable: false,
        };
      }),
    [layout, agentName, statuses, problems],
  );

  const edges = useMemo<Edge[]>(() => {
    const top = new Map(layout.nodes.map((n) => [n.key, n.y]));
    return layout.edges.map((e) => ({
      id: e.key,
      source: e.source,
      target: e.target,
      // An edge back up (in a cycle) goes round the nodes rather than through them.
      ...((top.get(e.target) ?? 0) <= (top.get(e.source) ?? 0)
        ? { type: 'smoothstep', sourceHandle: 'back-out', targetHandle: 'back-in', pathOptions: { offset: 24 } }
        : {}),
      ariaLabel: `${byKey.get(e.source)} runs before ${byKey.get(e.target)}`,
      markerEnd: { type: MarkerType.ArrowClosed, color: EDGE_COLOUR },
      focusable: false,
      selectable: false,
      deletable: false,
    }));
  }, [layout, byKey]);

  const shape = `${layout.nodes.map((n) => n.key).join()}|${layout.edges.map((e) => e.key).join()}`;
  const height = Math.min(560, Math.max(240, layout.height + 48));

  return (
    <div className="wf-graph" style={{ height }}>
      <ReactFlow
        aria-label={label}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.2}
        maxZoom={1.5}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        deleteKeyCode={null}
        zoomOnDoubleClick={false}
        preventScrolling={false}
        zoomOnScroll={false}
        panOnScroll={false}
        ariaLabelConfig={{
          'node.a11yDescription.default': 'A step of the workflow; the list of steps says the same.',
          'node.a11yDescription.keyboardDisabled': 'A step of the workflow; the list of steps says the same.',
        }}
      >
        <GraphControls shape={shape} />
      </ReactFlow>
    </div>
  );
}
