import { ActionIcon, Button, Group, Menu, Modal, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { errorMessage } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { keepFocusAfter } from '../../components/keep-focus';
import { useAction } from '../../components/use-action';
import { useSingleFlight } from '../../components/use-single-flight';
import { deleteSchedule, updateSchedule } from './schedule-api';
import type { Schedule } from './schedule-helpers';

/**
 * A schedule row's actions, narrow enough for the table to fit a laptop's window: Pause/Resume stays a button
 * (the one used most, and it says when it failed); Edit and Delete are in a menu named after the schedule.
 * Delete asks once, saying what it does.
 */
export function ScheduleActions({
  schedule,
  onEdit,
  onChanged,
  focusWhenGone,
}: {
  schedule: Schedule;
  /** Opens the schedule's Edit dialog; `opener` is where focus goes back when it closes. */
  onEdit: (schedule: Schedule, opener: HTMLElement | null) => void;
  onChanged: (message: string) => void;
  /** Where focus goes once the row is gone with the schedule (its dialog and menu button with it). */
  focusWhenGone: () => HTMLElement | null | undefined;
}) {
  const queryClient = useQueryClient();
  const toggle = useAction();
  const [confirming, setConfirming] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const toggleLabel = schedule.paused ? 'Resume' : 'Pause';

  const setPaused = async (paused: boolean) => {
    await updateSchedule(schedule.id, { paused });
    await queryClient.invalidateQueries({ queryKey: queryKeys.schedules.all });
    onChanged(paused ? `Paused “${schedule.name}”: it does not fire until resumed.` : `Resumed “${schedule.name}”.`);
  };
  const remove = async () => {
    await deleteSchedule(schedule.id);
    // The list without it takes the row away, the dialog and the menu button with it.
    keepFocusAfter(() => menuButton.current, focusWhenGone);
    await queryClient.invalidateQueries({ queryKey: queryKeys.schedules.all });
    onChanged(`Deleted “${schedule.name}”; what it started stays.`);
  };

  return (
    <Stack gap={4}>
      <Group gap={6} wrap="nowrap">
        <Button
          size="xs"
          variant="default"
          loading={toggle.busy}
          onClick={() => void toggle.run(() => setPaused(!schedule.paused))}
          aria-label={`${toggleLabel} ${schedule.name}`}
        >
          {toggleLabel}
        </Button>
        {/* Without Mantine's focus placeholder (an unnamed focusable element in the menu, which a menu may not
            hold): the menu opens on its first item, as a menu button's menu does. */}
        <Menu position="bottom-end" withinPortal withInitialFocusPlaceholder={false}>
          <Menu.Target>
            <ActionIcon
              ref={menuButton}
              size="input-xs"
              variant="default"
              aria-label={`More actions for ${schedule.name}`}
              title="Edit or delete"
            >
              <span aria-hidden="true">⋯</span>
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item data-autofocus onClick={() => onEdit(schedule, menuButton.current)}>
              Edit
            </Menu.Item>
            <Menu.Item color="red.8" onClick={() => setConfirming(true)}>
              Delete…
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Group>
      {toggle.failure && (
        <Text size="xs" c="red.8" role="alert">
          {toggle.failure}
        </Text>
      )}
      <ConfirmDelete
        schedule={schedule}
        opened={confirming}
        onClose={() => {
          setConfirming(false);
          // The menu that opened the dialog is closed: back to its button, where the keyboard user was.
          setTimeout(() => menuButton.current?.focus());
        }}
        onConfirm={remove}
      />
    </Stack>
  );
}

/**
 * The question before a schedule is deleted, as ConfirmButton asks it (a menu item cannot hold that dialog: the
 * menu is gone once the item is chosen). It does not lock the page's scroll (that injects a `<style>` element,
 * which the console's CSP refuses) and its close button has a name.
 */
function ConfirmDelete({
  schedule,
  opened,
  onClose,
  onConfirm,
}: {
  schedule: Schedule;
  opened: boolean;
  onClose: () => void;
  onConfirm: () => Promise<unknown>;
}) {
  const { busy, run } = useSingleFlight();
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setError(null);
    onClose();
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={`Delete ${schedule.name}`}
      centered
      lockScroll={false}
      returnFocus={false}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Text mb="md">Schedule “{schedule.name}” is deleted and fires no more; the tasks and runs it started stay.</Text>
      {error && (
        <Text c="red.8" role="alert" mb="md">
          {error}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={close}>
          Keep it
        </Button>
        <Button
          color="red"
          loading={busy}
          onClick={() =>
            void run(async () => {
              setError(null);
              try {
                await onConfirm();
                close();
              } catch (err) {
                setError(errorMessage(err, 'The action failed'));
              }
            })
          }
        >
          Delete the schedule
        </Button>
      </Group>
    </Modal>
  );
}
