import { Button, Group, Modal, Text } from '@mantine/core';
import { type ReactNode, type RefObject, useCallback, useEffect, useRef } from 'react';
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
    <Modal
      opened={blocker.state === 'blocked'}
      onClose={() => blocker.reset?.()}
      title="Leave without saving?"
      centered
      // Mantine's scroll lock writes a <style> element, which the console's CSP refuses.
      lockScroll={false}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Text size="sm" mb="md">
        {what} is not saved: leaving this page discards it.
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={() => blocker.reset?.()}>
          Stay
        </Button>
        <Button color="red" onClick={() => blocker.proceed?.()}>
          Discard and leave
        </Button>
      </Group>
    </Modal>
  );
}
