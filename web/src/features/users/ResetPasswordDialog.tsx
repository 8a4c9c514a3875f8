import { PasswordInput, Text } from '@mantine/core';
import { useState } from 'react';
import { NO_FIELD_ERRORS } from '../../components/dialog-refusal';
import { FormDialog, FormFooter } from '../../components/FormDialog';
import { useDialogSubmit } from '../../components/use-dialog-submit';
import { type User, setUserPassword } from './user-api';
import { type UserField, userFieldsOf } from './user-helpers';

interface ResetPasswordDialogProps {
  /** The user whose password is set; null closes the dialog. */
  user: User | null;
  isSelf: boolean;
  onClose: () => void;
  onDone: (user: User) => void | Promise<void>;
}

/**
 * An admin sets someone's password: their sessions end and they sign in with the new one. Closing it with a
 * password typed asks first, as the other dialogs do; closed, it forgets the password and what the server said.
 */
export function ResetPasswordDialog({ user, ...props }: ResetPasswordDialogProps) {
  return user ? <ResetPasswordForm key={user.id} user={user} {...props} /> : null;
}

function ResetPasswordForm({ user, isSelf, onClose, onDone }: ResetPasswordDialogProps & { user: User }) {
  const [password, setPassword] = useState('');
  const { errors, failure, busy, submit } = useDialogSubmit<UserField>({
    // The server says what a password needs, on its field.
    check: () => NO_FIELD_ERRORS,
    send: async () => {
      await setUserPassword(user.id, password);
      await onDone(user);
    },
    fieldsOf: userFieldsOf,
    fallback: 'The password was not set',
  });

  return (
    <FormDialog
      title={`Reset the password of ${user.name}`}
      unsaved={password ? `The new password of ${user.name}` : null}
      onClose={onClose}
      onSubmit={submit}
    >
      <Text size="sm">
        {isSelf
          ? 'This is your own account: you will be signed out here and sign in again with the new password.'
          : `${user.name} (${user.email}) is signed out everywhere and signs in with the new password. Tell it to them another way.`}
      </Text>
      <PasswordInput
        label="New password"
        required
        autoComplete="new-password"
        description="12 to 128 characters"
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
        error={errors.fields.password}
        aria-invalid={Boolean(errors.fields.password)}
        data-autofocus
      />
      <FormFooter
        notSaved="The password was not set"
        failure={failure}
        hasFieldErrors={Object.keys(errors.fields).length > 0}
        busy={busy}
        submitLabel="Set password"
      />
    </FormDialog>
  );
}
