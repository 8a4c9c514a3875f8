import { Button, type ButtonProps, Tooltip } from '@mantine/core';

interface DisabledButtonProps extends Omit<ButtonProps, 'children'> {
  /** The button's words, e.g. "Run". */
  label: string;
  /** Why the action may not be taken now, e.g. "Only its creator or an admin may change it". */
  reason: string;
  /** The name it is announced by, before the reason, when more than its words ("Redeliver task.failed of 4f2…"). */
  name?: string;
}

/**
 * An action one may not take now: it stays focusable and in its place, is named with the reason, shows it as
 * its tooltip, and does nothing when pressed (the API would refuse it).
 */
export function DisabledButton({ label, reason, name, ...props }: DisabledButtonProps) {
  return (
    <Tooltip label={reason}>
      <Button
        {...props}
        data-disabled
        aria-disabled
        aria-label={`${name ?? label} (${reason})`}
        onClick={(event) => event.preventDefault()}
      >
        {label}
      </Button>
    </Tooltip>
  );
}
