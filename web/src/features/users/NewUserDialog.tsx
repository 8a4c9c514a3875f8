import { NativeSelect, PasswordInput, TextInput } from '@mantine/core';
import { useState } from 'react';
import { NO_FIELD_ERRORS } from '../../components/dialog-refusal';
import { FormDialog, FormFooter } from '../../components/FormDialog';
import { useDialogSubmit } from '../../components/use-dialog-submit';
import { type User, createUser } from './user-api';
import {
  EMPTY_NEW_USER,
  type NewUserForm,
  ROLES,
  type UserField,
  isRole,
  newUserUnsaved,
  userFieldsOf,
} from './user-helpers';

interface NewUserDialogProps {
  opened: boolean;
  onClose: () => void;
  onCreated: (user: User) => void | Promise<void>;
}

/**
 * A new account with a role; the server's refusals land on the fields they name. Closing it while something is
 * typed asks first, as the other dialogs do; closed, it forgets what was typed (the password too) and what the
 * server said: it opens again empty.
 */
export function NewUserDialog({ opened, ...props }: NewUserDialogProps) {
  return opened ? <NewUserFormDialog {...props} /> : null;
}

function NewUserFormDialog({ onClose, onCreated }: Omit<NewUserDialogProps, 'opened'>) {
  const [form, setForm] = useState<NewUserForm>(EMPTY_NEW_USER);
  const { errors, failure, busy, submit } = useDialogSubmit<UserField>({
    // The server checks every field and says each problem on its field.
    check: () => NO_FIELD_ERRORS,
    send: async () =>
      onCreated(
        await createUser({
          email: form.email.trim(),
          name: form.name.trim(),
          password: form.password,
          role: form.role,
        }),
      ),
    fieldsOf: userFieldsOf,
    fallback: 'The user was not created',
  });
  const set = (changes: Partial<NewUserForm>) => setForm((current) => ({ ...current, ...changes }));

  return (
    <FormDialog title="New user" unsaved={newUserUnsaved(form)} onClose={onClose} onSubmit={submit}>
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
        data-autofocus
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
      <FormFooter
        notSaved="The user was not created"
        failure={failure}
        hasFieldErrors={Object.keys(errors.fields).length > 0}
        busy={busy}
        submitLabel="Create user"
      />
    </FormDialog>
  );
}
