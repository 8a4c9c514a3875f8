import { Button, Checkbox, Group, NativeSelect, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { useMe } from '../../app/session';
import { ErrorState } from '../../components/ErrorState';
import {
  type CreatedApiKey,
  DEFAULT_EXPIRY,
  EXPIRY_CHOICES,
  type KeyFormErrors,
  type Permission,
  expiresAtFor,
  keyFormErrors,
  offeredScopes,
  validateKeyForm,
} from './scopes';

/** The new key form: a name, scopes among the user's own permissions, and an expiry. */
export function NewKeyForm({ onCreated, onCancel }: { onCreated: (key: CreatedApiKey) => void; onCancel: () => void }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const titleId = useId();
  const nameInput = useRef<HTMLInputElement>(null);
  const offered = offeredScopes(me.permissions);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expiry, setExpiry] = useState<string>(DEFAULT_EXPIRY);
  const [errors, setErrors] = useState<KeyFormErrors>({ other: [] });
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => nameInput.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const invalid = validateKeyForm(name, scopes);
    if (invalid) {
      setErrors({ ...invalid, other: [] });
      return;
    }
    setErrors({ other: [] });
    setBusy(true);
    try {
      const expiresAt = expiresAtFor(expiry);
      const created = unwrap(
        await api.POST('/api/v1/api-keys', {
          body: { name: name.trim(), scopes: scopes as Permission[], ...(expiresAt ? { expiresAt } : {}) },
        }),
      );
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys.all });
      onCreated(created);
    } catch (err) {
      if (err instanceof ApiError && err.details.length) {
        const fieldErrors = keyFormErrors(err.details);
        setErrors(fieldErrors);
        if (fieldErrors.other.length) setFailure(err);
      } else {
        setFailure(err);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby={titleId}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          <Title order={2} size="h4" id={titleId}>
            New API key
          </Title>
          <TextInput
            ref={nameInput}
            label="Name"
            description="What will use it, e.g. “CI deploys” or “billing sync”"
            required
            maxLength={100}
            value={name}
            error={errors.name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Checkbox.Group
            label="Scopes"
            description="What the key may do. Only the permissions you hold are offered: a key never does more than you."
            required
            value={scopes}
            onChange={setScopes}
            error={errors.scopes}
          >
            <div className="scope-choices">
              {offered.map(({ scope, description }) => (
                <Checkbox key={scope} value={scope} label={scope} description={description} />
              ))}
            </div>
          </Checkbox.Group>
          <NativeSelect
            label="Expires"
            description="A key that expires cannot be forgotten in a script for ever"
            value={expiry}
            error={errors.expiresAt}
            onChange={(e) => setExpiry(e.currentTarget.value)}
            data={EXPIRY_CHOICES.map((c) => ({ value: c.value, label: c.label }))}
            w="fit-content"
          />
          {failure !== null && (
            <ErrorState
              title="Could not create the key"
              error={failure}
              fallbackMessage={errors.other.join('; ') || undefined}
            />
          )}
          <Group>
            <Button type="submit" loading={busy}>
              Create key
            </Button>
            <Button variant="default" onClick={onCancel} disabled={busy}>
              Cancel
            </Button>
          </Group>
          <Text size="sm" c="dimmed">
            The key is shown once, right after it is created.
          </Text>
        </Stack>
      </form>
    </Paper>
  );
}
