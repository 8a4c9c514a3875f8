import { Alert, Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useSendOnce } from '../../components/use-single-flight';
import { type User, setUserPassword } from './user-api';
import { formErrors } from './user-helpers';

interface ResetPasswordDialogProps {
  /** The user whose password is set; null closes the dialog. */
  user: User | null;
  isSelf: boolean;
  onClose: () => void;
  onDone: (user: User) => void | Promise<void>;
}

/** An admin sets someone's password: their sessions end and they sign in with the new one. */
export function ResetPasswordDialog({ user, isSelf, onClose, onDone }: ResetPasswordDialogProps) {
  const [password, setPassword] = useState('');
  const reset = useMutation({
    mutationFn: async (target: User) => {
      await setUserPassword(target.id, password);
      return target;
    },
    onSuccess: async (target) => {
      setPassword('');
      await onDone(target);
    },
  });
  const sending = useSendOnce(reset);
  const errors = formErrors(reset.error);
  const close = () => {
    setPassword('');
    reset.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (user) sending.send(user);
  };

  return (
    <Modal
      opened={user !== null}
      onClose={close}
      title={user ? `Reset the password of ${user.name}` : 'Reset password'}
      centered
      lockScroll={false}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {user && (
        <form className="users-form" onSubmit={submit} noValidate aria-label={`Reset the password of ${user.name}`}>
          <Stack>
            <Text size="sm">
              {isSelf
                ? 'This is your own account: you will be signed out here and sign in again with the new password.'
                : `${user.name} (${user.email}) is signed out everywhere and signs in with the new password. Tell it to them another way.`}
            </Text>
            {errors.message && (
              <Alert color="red" variant="light" title="The password was not set" role="alert">
                {errors.message}
              </Alert>
            )}
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
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={sending.busy}>
                Set password
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
