import { Button, Code, Group, Stack, Text } from '@mantine/core';
import { useRef, useState } from 'react';
import { Notice } from '../../components/Notice';
import { PageTitle } from '../../components/PageTitle';
import { SecretOnce } from '../../components/SecretOnce';
import { HookDialog } from './HookDialog';
import { HookList } from './HookList';
import { useHooksWriteBlocked } from './hook-api';
import { type CreatedHook, type Hook, callExample, hookAddress } from './hook-helpers';
import './hooks.css';

type Editing = { mode: 'create' } | { mode: 'edit'; hook: Hook } | null;

/**
 * A new hook's secret, right after it is created: the only time it is shown (a token is kept hashed, a signing secret
 * sealed). It lives in the page's state and nowhere else; "Done" forgets it.
 */
function HookSecretBox({ created, onDone }: { created: CreatedHook; onDone: () => void }) {
  const bearer = created.auth === 'bearer';
  return (
    <SecretOnce
      title={bearer ? 'Copy the token now' : 'Copy the signing secret now'}
      warning="It will not be shown again. Give it to the system that calls this hook; if it is lost, delete the hook and create another."
      copyValue={created.secret}
      fieldLabel={`${bearer ? 'Token' : 'Signing secret'} of ${created.name}`}
      copyLabel={bearer ? 'Copy token' : 'Copy secret'}
      onDone={onDone}
    >
      <Text size="sm">
        Callers send a JSON body to <Code>{hookAddress(created, window.location.origin)}</Code>, for example:
      </Text>
      <Code block className="hook-example">
        {callExample(created, window.location.origin)}
      </Code>
    </SecretOnce>
  );
}

/** `/hooks`: addresses outside systems call to start a task of an agent or a run of a workflow. */
export function HooksPage() {
  const blocked = useHooksWriteBlocked();
  const [editing, setEditing] = useState<Editing>(null);
  const [created, setCreated] = useState<CreatedHook | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const createButton = useRef<HTMLButtonElement>(null);
  /** What opened the dialog (a row's Edit): focus goes back to it, else to New hook. */
  const opener = useRef<HTMLElement | null>(null);
  const refocus = () =>
    setTimeout(() => (opener.current?.isConnected ? opener.current : createButton.current)?.focus());

  const startCreating = () => {
    opener.current = null;
    setCreated(null);
    setNotice(null);
    setEditing({ mode: 'create' });
  };

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Inbound hooks</PageTitle>
        {blocked ? (
          <Text size="sm" c="dimmed" maw={320}>
            Adding, changing and deleting hooks needs the hooks:write permission.
          </Text>
        ) : (
          <Button ref={createButton} onClick={startCreating}>
            New hook
          </Button>
        )}
      </Group>
      <Text maw={760}>
        An inbound hook is an address another system calls (a CI pipeline, a form, a SaaS webhook) to start a task of an
        agent or a run of a workflow, as you. Each call proves itself with the hook’s secret; the same delivery id sent
        twice starts nothing more.
      </Text>
      {created && (
        <HookSecretBox
          created={created}
          onDone={() => {
            setCreated(null);
            refocus();
          }}
        />
      )}
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
      <HookList
        emptyAction={
          blocked ? null : (
            <Button variant="default" onClick={startCreating}>
              Add a hook
            </Button>
          )
        }
        onEdit={(hook) => {
          opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
          setNotice(null);
          setEditing({ mode: 'edit', hook });
        }}
        onChanged={(message) => setNotice(message)}
      />
      {editing && (
        <HookDialog
          hook={editing.mode === 'edit' ? editing.hook : null}
          onClose={() => {
            setEditing(null);
            refocus();
          }}
          onCreated={(hook) => {
            setEditing(null);
            setNotice(null);
            setCreated(hook);
          }}
          onSaved={(hook) => {
            setEditing(null);
            setNotice(`Saved “${hook.name}”.`);
            refocus();
          }}
        />
      )}
    </Stack>
  );
}
