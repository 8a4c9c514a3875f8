import { Button, type ButtonProps, Tooltip } from '@mantine/core';
import type { ButtonHTMLAttributes } from 'react';

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
 * its tooltip on hover and on keyboard focus, and does nothing when pressed (the API would refuse it).
 */
export function DisabledButton(props: DisabledButtonProps) {
  return <GuardedButton {...props} />;
}

interface GuardedButtonProps
  extends Omit<DisabledButtonProps, 'reason'>, Pick<ButtonHTMLAttributes<HTMLButtonElement>, 'type' | 'onClick'> {
  /** Why it may not be taken now, or null when it may. */
  reason: string | null;
}

/**
 * An action that is at times one may not take (a form's Save while nothing is changed): while `reason` is set,
 * a {@link DisabledButton}, otherwise a plain button, the same element either way. Disabled by `disabled`, a
 * button would drop focus to the page whenever it became unavailable under the user's hand (a save that
 * succeeded leaves nothing to save); this one keeps it, as the console's busy buttons do
 * (`app/busy-button-focus.ts`), and a press while it is unavailable does nothing (a submit is not sent).
 */
export function GuardedButton({ label, reason, name, onClick, ...props }: GuardedButtonProps) {
  const unavailable = reason !== null;
  return (
    // Shown on keyboard focus too, not only under the mouse; while shown, it describes the button (the tooltip's
    // role sets `aria-describedby`), so the reason is heard as well as seen.
    <Tooltip label={reason ?? label} disabled={!unavailable} events={{ hover: true, focus: true, touch: false }}>
      <Button
        {...props}
        data-disabled={unavailable || undefined}
        aria-disabled={unavailable || undefined}
        aria-label={unavailable ? `${name ?? label} (${reason})` : name}
        onClick={(event) => {
          if (unavailable) event.preventDefault();
          else onClick?.(event);
        }}
      >
        {label}
      </Button>
    </Tooltip>
  );
}
