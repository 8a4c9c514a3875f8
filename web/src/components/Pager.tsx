import { Button, Group, type MantineSize, type MantineSpacing, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { EmptyState } from './EmptyState';

const numberFormat = new Intl.NumberFormat('en');

/**
 * A list's footer: where the page stands (`children`, announced politely unless `live` is false) with Previous
 * and Next (or the words given).
 */
export function PageFooter({
  children,
  page,
  hasNext,
  onPage,
  live = true,
  dimmed = false,
  buttonSize = 'xs',
  previousLabel = 'Previous page',
  nextLabel = 'Next page',
  mt,
}: {
  children: ReactNode;
  page: number;
  hasNext: boolean;
  onPage: (page: number) => void;
  live?: boolean;
  dimmed?: boolean;
  buttonSize?: MantineSize;
  previousLabel?: string;
  nextLabel?: string;
  mt?: MantineSpacing;
}) {
  return (
    <Group justify="space-between" mt={mt}>
      <Text size="sm" c={dimmed ? 'dimmed' : undefined} aria-live={live ? 'polite' : undefined}>
        {children}
      </Text>
      <Group gap="xs">
        <Button variant="default" size={buttonSize} disabled={page <= 1} onClick={() => onPage(page - 1)}>
          {previousLabel}
        </Button>
        <Button variant="default" size={buttonSize} disabled={!hasNext} onClick={() => onPage(page + 1)}>
          {nextLabel}
        </Button>
      </Group>
    </Group>
  );
}

/**
 * "26–50 of 112" (or "26–50 of 112 users" with `noun`), announced politely, with Previous and Next, for a list
 * paged by `skip` and a page size.
 */
export function Pager({
  page,
  skip,
  size,
  total,
  onPage,
  noun,
  ...footer
}: {
  page: number;
  skip: number;
  size: number;
  total: number;
  onPage: (page: number) => void;
  /** What the list counts, one and many. */
  noun?: readonly [string, string];
} & Pick<Parameters<typeof PageFooter>[0], 'buttonSize' | 'previousLabel' | 'nextLabel' | 'mt'>) {
  const to = Math.min(total, skip + size);
  return (
    <PageFooter page={page} hasNext={to < total} onPage={onPage} {...footer}>
      {numberFormat.format(skip + 1)}–{numberFormat.format(to)} of {numberFormat.format(total)}
      {noun && ` ${total === 1 ? noun[0] : noun[1]}`}
    </PageFooter>
  );
}

/** "112 agents · page 2 of 5" (dimmed) with Previous and Next, for a list of `total` items in pages of `size`. */
export function PageCount({
  page,
  size,
  total,
  noun,
  onPage,
}: {
  page: number;
  size: number;
  total: number;
  /** What the list counts, one and many. */
  noun: readonly [string, string];
  onPage: (page: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / size));
  return (
    <PageFooter page={page} hasNext={page < pages} onPage={onPage} live={false} dimmed>
      {numberFormat.format(total)} {total === 1 ? noun[0] : noun[1]} · page {page} of {pages}
    </PageFooter>
  );
}

/** An empty page of a list, saying why (`children`), with the way back to the first page. */
export function NothingOnThisPage({ onFirst, children }: { onFirst: () => void; children: ReactNode }) {
  return (
    <EmptyState
      title="Nothing on this page"
      action={
        <Button variant="default" onClick={onFirst}>
          Go to the first page
        </Button>
      }
    >
      {children}
    </EmptyState>
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
    <NothingOnThisPage onFirst={onFirst}>
      There are {numberFormat.format(total)}
      {capped ? '+' : ''} {noun}, fewer than this page starts at.
    </NothingOnThisPage>
  );
}
