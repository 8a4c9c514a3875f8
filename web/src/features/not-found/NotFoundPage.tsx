import { Anchor, Stack } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { PageTitle } from '../../components/PageTitle';

export function NotFoundPage() {
  return (
    <Stack>
      <PageTitle>Page not found</PageTitle>
      <EmptyState title="Nothing lives at this address">
        The link may be old. Go to the{' '}
        <Anchor component={Link} to="/" underline="always">
          Overview
        </Anchor>
        .
      </EmptyState>
    </Stack>
  );
}
