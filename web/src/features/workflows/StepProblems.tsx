import { Code, Text } from '@mantine/core';
import { type GraphStep, type Problem, pointerInStep } from './workflow-validation';

/** The steps of a definition, each with its agent, what it waits for, and its problems (red, in words). */
export function StepProblemList({
  steps,
  problems,
  agentName,
}: {
  steps: GraphStep[];
  problems: ReadonlyMap<number, Problem[]>;
  agentName: (agentId: string | undefined) => string;
}) {
  if (steps.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No steps yet: add objects to &quot;steps&quot;.
      </Text>
    );
  }
  return (
    <ul className="wf-steps" aria-label="Steps">
      {steps.map((step) => {
        const own = problems.get(step.index) ?? [];
        return (
          <li key={step.index} data-invalid={own.length > 0 || undefined} data-step={step.id}>
            <Text size="sm">
              <Text span fw={700} ff="monospace">
                Step {step.id}
              </Text>{' '}
              · {agentName(step.agentId)}
              {step.dependsOn.length > 0 && <> · after {step.dependsOn.join(', ')}</>}
            </Text>
            {own.length > 0 && (
              <ul className="wf-problems" aria-label={`Problems of step ${step.id}`}>
                {own.map((problem, i) => (
                  <li key={i}>
                    {pointerInStep(problem.pointer) && <Code>{pointerInStep(problem.pointer)}</Code>} {problem.message}
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ul>
  );
}
