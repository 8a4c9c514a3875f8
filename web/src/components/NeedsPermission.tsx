import { Alert, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { type Me, useMe } from '../app/session';
import { PageTitle } from './PageTitle';

/**
 * A page the user's role may not use, in its place: the page's title and a notice saying which permission it
 * needs (`children`, the why in words).
 */
export function NotPermitted({
  page,
  title = 'Not available to your role',
  color = 'yellow',
  children,
}: {
  /** The page's title. */
  page: string;
  /** The notice's title. */
  title?: string;
  color?: 'yellow' | 'gray';
  children: ReactNode;
}) {
  return (
    <Stack>
      <PageTitle>{page}</PageTitle>
      <Alert color={color} variant="light" title={title}>
        {children}
      </Alert>
    </Stack>
  );
}

/** The page (`children`) for those whose permissions include `permission`; for the others, {@link NotPermitted}. */
export function NeedsPermission({
  permission,
  why,
  children,
  ...notice
}: {
  permission: Me['permissions'][number];
  /** Why the page is not shown, in words. */
  why: ReactNode;
  children: ReactNode;
} & Omit<Parameters<typeof NotPermitted>[0], 'children'>) {
  const me = useMe();
  if (!me.permissions.includes(permission)) return <NotPermitted {...notice}>{why}</NotPermitted>;
  return children;
}
