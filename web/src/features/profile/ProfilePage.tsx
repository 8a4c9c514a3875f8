import { Badge, Button, Code, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useMe, useSession } from '../../app/session';
import { PageTitle } from '../../components/PageTitle';
import { TimeAgo } from '../../components/TimeAgo';
import { PERMISSIONS } from '../api-keys/scopes';
import { MfaSection } from './MfaSection';
import './profile.css';

const ROLE_COLOURS: Record<string, string> = { admin: 'violet', operator: 'blue', viewer: 'gray' };

/** `/profile`: who the signed-in user is, what they may do, their two-factor authentication, and signing out. */
export function ProfilePage() {
  const me = useMe();
  const { signOut } = useSession();
  const [signingOut, setSigningOut] = useState(false);
  const held = new Set<string>(me.permissions);

  return (
    <Stack maw={960}>
      <PageTitle>Profile</PageTitle>
      <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="account-title">
        <Stack>
          <Title order={2} size="h4" id="account-title">
            Account
          </Title>
          <dl className="profile-facts">
            <dt>Name</dt>
            <dd>{me.name}</dd>
            <dt>Email</dt>
            <dd>{me.email}</dd>
            <dt>Role</dt>
            <dd>
              <Badge color={ROLE_COLOURS[me.role] ?? 'gray'} variant="light" radius="sm">
                {me.role}
              </Badge>
            </dd>
            <dt>Last sign-in</dt>
            <dd>
              <TimeAgo value={me.lastLoginAt} />
            </dd>
            <dt>Member since</dt>
            <dd>
              <TimeAgo value={me.createdAt} />
            </dd>
          </dl>
        </Stack>
      </Paper>

      <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="permissions-title">
        <Stack gap="sm">
          <Title order={2} size="h4" id="permissions-title">
            Permissions
          </Title>
          <Text size="sm" c="dimmed">
            What your role ({me.role}) lets you do. The API keys you create can hold these, and no others.
          </Text>
          <ul className="permission-list" aria-label="Your permissions">
            {PERMISSIONS.filter((p) => held.has(p.scope)).map(({ scope, description }) => (
              <li key={scope}>
                <Code>{scope}</Code>{' '}
                <Text span size="sm">
                  {description}
                </Text>
              </li>
            ))}
          </ul>
        </Stack>
      </Paper>

      <MfaSection />

      <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="session-title">
        <Stack gap="sm" align="flex-start">
          <Title order={2} size="h4" id="session-title">
            Session
          </Title>
          <Text size="sm" c="dimmed">
            Signing out ends the session in this browser: its refresh token is revoked on the server.
          </Text>
          <Button
            variant="default"
            loading={signingOut}
            onClick={() => {
              setSigningOut(true);
              void signOut().finally(() => setSigningOut(false));
            }}
          >
            Sign out
          </Button>
        </Stack>
      </Paper>
    </Stack>
  );
}
