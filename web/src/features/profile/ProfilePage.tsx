import { Stack, Text } from '@mantine/core';
import { PageTitle } from '../../components/PageTitle';
import { useMe } from '../../app/session';

export function ProfilePage() {
  const me = useMe();
  return (
    <Stack>
      <PageTitle>Profile</PageTitle>
      <Text>
        {me.name} ({me.email}), {me.role}
      </Text>
    </Stack>
  );
}
