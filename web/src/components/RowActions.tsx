import { Button, Group, Stack, Text } from '@mantine/core';
import { ConfirmButton } from './ConfirmButton';
import { useAction } from './use-action';

/**
 * A list row's actions on a thing named `name`: a switch (Pause/Resume, Disable/Enable) that says when it
 * failed, Edit, and Delete, which asks once and says what it will do. Each button's name carries `name`.
 */
export function RowActions({
  name,
  toggleLabel,
  onToggle,
  onEdit,
  confirmDelete,
  consequence,
  onDelete,
}: {
  name: string;
  toggleLabel: string;
  onToggle: () => Promise<unknown>;
  onEdit: () => void;
  /** The confirming button's words, e.g. "Delete the schedule". */
  confirmDelete: string;
  consequence: string;
  onDelete: () => Promise<unknown>;
}) {
  const { busy, failure, run } = useAction();
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="nowrap">
        <Button
          size="xs"
          variant="default"
          loading={busy}
          onClick={() => void run(onToggle)}
          aria-label={`${toggleLabel} ${name}`}
        >
          {toggleLabel}
        </Button>
        <Button size="xs" variant="default" onClick={onEdit} aria-label={`Edit ${name}`}>
          Edit
        </Button>
        <ConfirmButton
          size="xs"
          label={`Delete ${name}`}
          buttonText="Delete"
          confirmLabel={confirmDelete}
          consequence={consequence}
          onConfirm={onDelete}
        />
      </Group>
      {failure && (
        <Text size="xs" c="red.8" role="alert">
          {failure}
        </Text>
      )}
    </Stack>
  );
}
