import { Button, Group, Text } from '@mantine/core';
import { EmptyState } from './EmptyState';

const numberFormat = new Intl.NumberFormat('en');

/** "26–50 of 112" (announced politely) with Previous and Next, for a list paged by `skip` and a page size. */
export function Pager({
  page,
  skip,
  size,
  total,
  onPage,
}: {
  page: number;
  skip: number;
  size: number;
  total: number;
  onPage: (page: number) => void;
}) {
  const to = Math.min(total, skip + size);
  return (
    <Group justify="space-between">
      <Text size="sm" aria-live="polite">
        {numberFormat.format(skip + 1)}–{numberFormat.format(to)} of {numberFormat.format(total)}
      </Text>
      <Group gap="xs">
        <Button variant="default" size="xs" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          Previous page
        </Button>
        <Button variant="default" size="xs" disabled={to >= total} onClick={() => onPage(page + 1)}>
          Next page
        </Button>
      </Group>
    </Group>
  );
}

/**
 * A page past the end of a list (it shrank, or the link was old; see `isPastTheEnd`): says so, and goes back to
 * the first. `capped`: the server counted no further than `total`, shown as "10,000+".
 */
export function PastTheEnd({
  total,
  capped = false,
  noun,
  onFirst,
}: {
  total: number;
  capped?: boolean;
  noun: string;
  onFirst: () => void;
}) {
  return (
    <EmptyState
      title="Nothing on this page"
      action={
        <Button variant="default" onClick={onFirst}>
          Go to the first page
        </Button>
      }
    >
      There are {numberFormat.format(total)}
      {capped ? '+' : ''} {noun}, fewer than this page starts at.
    </EmptyState>
  );
}
