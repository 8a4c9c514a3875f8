import { Alert, Button, Group, Modal, NativeSelect, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useSendOnce } from '../../components/use-single-flight';
import { type User, createUser } from './user-api';
import { ROLES, type UserRole, formErrors, isRole } from './user-helpers';

interface NewUserDialogProps {
  opened: boolean;
  onClose: () => void;
  onCreated: (user: User) => void | Promise<void>;
}

const EMPTY = { email: '', name: '', password: '', role: 'viewer' as UserRole };

/**
 * A new account with a role; the server's refusals land on the fields they name. Closed, it forgets what was
 * typed (the password too) and what the server said: it opens again empty.
 */
export function NewUserDialog({ opened, onClose, onCreated }: NewUserDialogProps) {
  const [form, setForm] = useState(EMPTY);
  const create = useMutation({
    mutationFn: () =>
      createUser({ email: form.email.trim(), name: form.name.trim(), password: form.password, role: form.role }),
    onSuccess: async (user) => {
      setForm(EMPTY);
      await onCreated(user);
    },
  });
  const creating = useSendOnce(create);
  const errors = formErrors(create.error);
  const set = (changes: Partial<typeof EMPTY>) => setForm((current) => ({ ...current, ...changes }));
  const close = () => {
    setForm(EMPTY);
    create.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    creating.send();
  };

  return (
    <Modal
      opened={opened}
      onClose={close}
      title="New user"
      centered
      lockScroll={false}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form className="users-form" onSubmit={submit} noValidate aria-label="New user">
        <Stack>
          {errors.message && (
            <Alert color="red" variant="light" title="The user was not created" role="alert">
              {errors.message}
            </Alert>
          )}
          <TextInput
            label="Email"
            type="email"
            required
            autoComplete="off"
            value={form.email}
            onChange={(e) => set({ email: e.currentTarget.value })}
            error={errors.fields.email}
            aria-invalid={Boolean(errors.fields.email)}
            description="Unique; case does not matter"
          />
          <TextInput
            label="Name"
            required
            autoComplete="off"
            value={form.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            error={errors.fields.name}
            aria-invalid={Boolean(errors.fields.name)}
          />
          <PasswordInput
            label="Password"
            required
            autoComplete="new-password"
            description="12 to 128 characters; tell it to them another way"
            value={form.password}
            onChange={(e) => set({ password: e.currentTarget.value })}
            error={errors.fields.password}
            aria-invalid={Boolean(errors.fields.password)}
          />
          <NativeSelect
            label="Role"
            required
            description="Viewers read; operators also run agents, tasks and workflows; admins manage everything"
            data={ROLES.map((role) => ({ value: role, label: role }))}
            value={form.role}
            onChange={(e) => {
              const role = e.currentTarget.value;
              if (isRole(role)) set({ role });
            }}
            error={errors.fields.role}
            aria-invalid={Boolean(errors.fields.role)}
          />
          {Object.keys(errors.fields).length > 0 && !errors.message && (
            <Alert color="red" variant="light" role="alert">
              The server refused some values; see the fields marked above.
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={creating.busy}>
              Create user
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
