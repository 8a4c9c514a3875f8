import { Group, NativeSelect, Radio } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { allAgentsQuery, workflowListQuery } from './workflow-api';

/** What a schedule's fire or a hook's call starts, as a form holds it. */
export interface PickedTarget {
  kind: 'agent' | 'workflow';
  agentId: string;
  workflowId: string;
}

/**
 * Chooses what something starts: a task of an agent or a run of a workflow, then which one. `fixed`: shown, not
 * changeable (a hook's target is set when it is created).
 */
export function TargetPicker({
  label,
  value,
  error,
  fixed = false,
  onChange,
}: {
  label: string;
  value: PickedTarget;
  error?: string;
  fixed?: boolean;
  onChange: (changes: Partial<PickedTarget>) => void;
}) {
  const agents = useQuery(allAgentsQuery());
  const workflows = useQuery(workflowListQuery({ skip: 0, limit: 1000 }));
  const agent = value.kind === 'agent';
  const options = agent
    ? (agents.data?.items ?? []).map((a) => ({ value: a.id, label: `${a.name} (${a.type})` }))
    : (workflows.data?.items ?? []).map((w) => ({ value: w.id, label: w.name }));
  const loading = agent ? agents.isPending : workflows.isPending;
  return (
    <>
      <Radio.Group
        label={label}
        description={fixed ? 'Fixed once it exists' : undefined}
        value={value.kind}
        onChange={(kind) => onChange({ kind: kind === 'workflow' ? 'workflow' : 'agent' })}
      >
        <Group mt={4}>
          <Radio value="agent" label="A task of an agent" disabled={fixed} />
          <Radio value="workflow" label="A run of a workflow" disabled={fixed} />
        </Group>
      </Radio.Group>
      <NativeSelect
        label={agent ? 'Agent' : 'Workflow'}
        required
        disabled={fixed || loading}
        value={agent ? value.agentId : value.workflowId}
        error={error}
        onChange={(e) => onChange(agent ? { agentId: e.currentTarget.value } : { workflowId: e.currentTarget.value })}
        data={[{ value: '', label: loading ? 'Loading…' : `Choose ${agent ? 'an agent' : 'a workflow'}` }, ...options]}
      />
    </>
  );
}
