import { Button, Group, Modal, Text } from '@mantine/core';
import { type ReactNode, type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import { useBlocker } from 'react-router';

/**
 * Guards unsaved input: while `dirty`, leaving the page inside the console (a link, Back) first asks whether to
 * discard it, and reloading or closing the tab makes the browser ask. `allowLeaving` lets the next navigation
 * through (after a save, before going to what was saved). `prompt` is the guard, to render with the form: it is
 * there only while something is unsaved, so forms on one page that are not being changed hold no blocker (a
 * router heeds one at a time).
 */
export function useUnsavedChanges(dirty: boolean, what: string): { prompt: ReactNode; allowLeaving: () => void } {
  const allowed = useRef(false);
  const allowLeaving = useCallback(() => {
    allowed.current = true;
  }, []);
  return { prompt: dirty ? <LeaveGuard allowed={allowed} what={what} /> : null, allowLeaving };
}

/**
 * Closing a dialog that holds unsaved input (`unsaved` names it, e.g. "The new schedule"; null when there is
 * none): `close` (Escape, its Close button, Cancel, a click outside) first asks whether to discard it, and
 * leaving the page or reloading it is guarded as {@link useUnsavedChanges} does. Without unsaved input `close`
 * closes at once. `asking`: the question is open (the dialog under it leaves Escape and focus to it).
 */
export function useGuardedClose(
  onClose: () => void,
  unsaved: string | null,
): { close: () => void; asking: boolean; prompt: ReactNode } {
  const [asking, setAsking] = useState(false);
  const { prompt: leaveGuard } = useUnsavedChanges(unsaved !== null, unsaved ?? '');
  const close = () => {
    if (unsaved === null) onClose();
    else setAsking(true);
  };
  const prompt = (
    <>
      {leaveGuard}
      {/* Mounted only once asked: a question already there would take the Escape that asks it as its own. */}
      {asking && unsaved !== null && (
        <DiscardQuestion
          opened
          title="Close without saving?"
          consequence={`${unsaved} is not saved: closing the dialog discards it.`}
          stayLabel="Keep editing"
          discardLabel="Discard and close"
          onStay={() => setAsking(false)}
          onDiscard={() => {
            setAsking(false);
            onClose();
          }}
        />
      )}
    </>
  );
  return { close, asking, prompt };
}

function LeaveGuard({ allowed, what }: { allowed: RefObject<boolean>; what: string }) {
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) => !allowed.current && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    const ask = (event: BeforeUnloadEvent) => {
      if (!allowed.current) event.preventDefault();
    };
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [allowed]);
  return (
    <DiscardQuestion
      opened={blocker.state === 'blocked'}
      title="Leave without saving?"
      consequence={`${what} is not saved: leaving this page discards it.`}
      stayLabel="Stay"
      discardLabel="Discard and leave"
      onStay={() => blocker.reset?.()}
      onDiscard={() => blocker.proceed?.()}
    />
  );
}

/** Asks once whether to discard unsaved input, naming it; Escape and Close keep it. */
function DiscardQuestion({
  opened,
  title,
  consequence,
  stayLabel,
  discardLabel,
  onStay,
  onDiscard,
}: {
  opened: boolean;
  title: string;
  consequence: string;
  stayLabel: string;
  discardLabel: string;
  onStay: () => void;
  onDiscard: () => void;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onStay}
      title={title}
      centered
      // Mantine's scroll lock writes a <style> element, which the console's CSP refuses.
      lockScroll={false}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Text size="sm" mb="md">
        {consequence}
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={onStay}>
          {stayLabel}
        </Button>
        <Button color="red" onClick={onDiscard}>
          {discardLabel}
        </Button>
      </Group>
    </Modal>
  );
}
