import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';

/**
 * What a schedule or a hook starts, linked to its page (`useTargetName`'s label and path); one deleted since is
 * named as text with a red "deleted" mark, since its page is gone.
 */
export function StartTargetLink({
  target,
  deleted,
  className,
}: {
  target: { label: string; to: string };
  deleted: boolean;
  className?: string;
}) {
  if (deleted)
    return (
      <Text size="sm" className={className} title={`${target.label} (deleted)`}>
        {target.label}{' '}
        <span className="state-pill" data-status="deleted">
          deleted
        </span>
      </Text>
    );
  return (
    <Anchor component={Link} to={target.to} className={className} title={target.label}>
      {target.label}
    </Anchor>
  );
}

/** Why a schedule or a hook whose target was deleted does not work, for its status column. */
export function deletedTargetNote(target: { workflowId?: string | null }, consequence: string): string {
  return `Its ${target.workflowId ? 'workflow' : 'agent'} was deleted: ${consequence}`;
}
