import { Alert, Button, Code, Group, Stack, Text } from '@mantine/core';
import { useRef, useState } from 'react';
import { useMe } from '../../app/session';
import { Notice } from '../../components/Notice';
import { PageTitle } from '../../components/PageTitle';
import { KeyList } from './KeyList';
import { NewKeyBox } from './NewKeyBox';
import { NewKeyForm } from './NewKeyForm';
import type { CreatedApiKey } from './scopes';
import './api-keys.css';

/** `/api-keys`: the user's keys (an admin's: everyone's), a new key shown once, and revoking. */
export function ApiKeysPage() {
  const me = useMe();
  const canManage = me.permissions.includes('apikeys:manage');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const newButton = useRef<HTMLButtonElement>(null);

  const startCreating = () => {
    setCreated(null);
    setNotice(null);
    setCreating(true);
  };

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <PageTitle>API keys</PageTitle>
        {canManage && !creating && (
          <Button ref={newButton} onClick={startCreating}>
            New API key
          </Button>
        )}
      </Group>
      <Text maw={760}>
        A key lets a script or service call the API without a password: it sends the key as the header{' '}
        <Code>X-API-Key</Code> and may do only what the key’s scopes allow, never more than its owner.
        {me.role === 'admin' && ' As an admin you see, and may revoke, every user’s keys.'}
      </Text>
      {!canManage ? (
        <Alert color="gray" variant="light" title="Not available for your role">
          Creating, listing and revoking API keys needs the apikeys:manage permission, which your role ({me.role}) does
          not have. Operators and admins hold it; ask an admin if a script of yours needs a key.
        </Alert>
      ) : (
        <>
          {created && (
            <NewKeyBox
              created={created}
              onDone={() => {
                setCreated(null);
                setTimeout(() => newButton.current?.focus());
              }}
            />
          )}
          {creating && (
            <NewKeyForm
              onCreated={(key) => {
                setCreating(false);
                setCreated(key);
              }}
              onCancel={() => {
                setCreating(false);
                setTimeout(() => newButton.current?.focus());
              }}
            />
          )}
          {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
          <KeyList
            emptyAction={
              creating ? null : (
                <Button variant="default" onClick={startCreating}>
                  Create a key
                </Button>
              )
            }
            onRevoked={(key) => {
              if (created?.id === key.id) setCreated(null);
              setNotice(`Revoked “${key.name}” (${key.prefix}…): it no longer works.`);
            }}
            focusWhenGone={() => newButton.current}
          />
        </>
      )}
    </Stack>
  );
}
