import { Alert, Badge, Text } from '@mantine/core';
import { stepList } from './deleted-agents';

/** The mark of a task step whose agent no longer exists, beside its agent in the list of steps. */
export function AgentDeletedBadge() {
  return (
    <Badge color="red" variant="light" radius="sm">
      agent deleted
    </Badge>
  );
}

/**
 * Says, for as long as it is so, that the workflow cannot run: which steps name a deleted agent, and how to fix
 * it (changing the steps is for the workflow's creator or an admin: `changeBlocked` says why one may not).
 */
export function DeletedAgentsNotice({ stepIds, changeBlocked }: { stepIds: string[]; changeBlocked: string | null }) {
  if (stepIds.length === 0) return null;
  const [them, it] = stepIds.length === 1 ? ['this step', 'it'] : ['these steps', 'them'];
  return (
    <Alert color="red" variant="light" role="status" title="This workflow cannot run">
      <Text size="sm">
        The agent of {stepList(stepIds)} has been deleted, so a run would be refused before any step starts.{' '}
        {changeBlocked
          ? `Ask its creator or an admin to give ${them} another agent, or to remove ${it}.`
          : `Edit the workflow to give ${them} another agent, or remove ${it}, then run the workflow.`}
      </Text>
    </Alert>
  );
}
