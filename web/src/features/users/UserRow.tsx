import { Badge, Button, Group, NativeSelect, Table, Text, Tooltip } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '../../components/ConfirmButton';
import { TimeAgo } from '../../components/TimeAgo';
import { useSendOnce } from '../../components/use-single-flight';
import { type User, updateUser } from './user-api';
import { ROLES, type UserRole, isRole, resultInWords, selfActionBlocked, withArticle } from './user-helpers';

const ROLE_COLOURS: Record<UserRole, string> = { admin: 'violet', operator: 'blue', viewer: 'gray' };

export function RoleBadge({ role }: { role: UserRole }) {
  return (
    <Badge color={ROLE_COLOURS[role]} variant="light" radius="sm">
      {role}
    </Badge>
  );
}

interface UserRowProps {
  user: User;
  meId: string;
  /** Called after any change, with the result in words (said in the page's live region). */
  onChanged: (message: string, tone: 'ok' | 'error') => Promise<void>;
  onResetPassword: (user: User) => void;
}

function RoleControl({ user, meId, onChanged }: Omit<UserRowProps, 'onResetPassword'>) {
  const [role, setRole] = useState<UserRole>(user.role);
  const [seen, setSeen] = useState(user.role);
  if (seen !== user.role) {
    setSeen(user.role);
    setRole(user.role);
  }
  const save = useMutation({
    mutationFn: () => updateUser(user.id, { role }),
    onSuccess: (updated) => onChanged(resultInWords.roleChanged(updated), 'ok'),
    onError: (error) => onChanged(resultInWords.failed(`Changing the role of ${user.name}`, error), 'error'),
  });
  const saving = useSendOnce(save);
  const blocked = selfActionBlocked(meId, user.id, 'role');
  if (blocked) {
    return (
      <Tooltip label={blocked}>
        <span className="users-role-self" tabIndex={0} aria-label={`${user.role} (${blocked})`}>
          <RoleBadge role={user.role} />
        </span>
      </Tooltip>
    );
  }
  return (
    <Group gap={6} wrap="nowrap">
      <NativeSelect
        className="users-role-select"
        size="xs"
        aria-label={`Role of ${user.name}`}
        data={ROLES.map((r) => ({ value: r, label: r }))}
        value={role}
        onChange={(e) => {
          const next = e.currentTarget.value;
          if (isRole(next)) setRole(next);
        }}
      />
      {role !== user.role && (
        <Button size="xs" loading={saving.busy} onClick={() => saving.send()} aria-label={`Save role of ${user.name}`}>
          Save
        </Button>
      )}
    </Group>
  );
}

/** One account: who, their role (changeable), whether they may sign in, MFA, last sign-in, and what to do. */
export function UserRow({ user, meId, onChanged, onResetPassword }: UserRowProps) {
  const isSelf = user.id === meId;
  // Whom the row's actions act on, in their names: the same words in every row otherwise.
  const who = user.name.trim() || user.email;
  const deactivateBlocked = selfActionBlocked(meId, user.id, 'deactivate');
  const setActive = async (isActive: boolean) => {
    const updated = await updateUser(user.id, { isActive });
    await onChanged(isActive ? resultInWords.reactivated(updated) : resultInWords.deactivated(updated), 'ok');
  };

  return (
    <Table.Tr data-inactive={user.isActive ? undefined : true}>
      <Table.Th scope="row" className="users-who">
        <span className="users-name">
          <span className="truncate" title={user.name}>
            {user.name}
          </span>
          {isSelf && (
            <Text span size="xs" c="dimmed" className="nowrap">
              (you)
            </Text>
          )}
        </span>
        <span className="users-email truncate" title={user.email}>
          {user.email}
        </span>
      </Table.Th>
      <Table.Td>
        <RoleControl user={user} meId={meId} onChanged={onChanged} />
      </Table.Td>
      <Table.Td>
        <Badge color={user.isActive ? 'green' : 'gray'} variant="light" radius="sm">
          {user.isActive ? 'active' : 'deactivated'}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Badge color={user.mfaEnabled ? 'teal' : 'gray'} variant="light" radius="sm">
          {user.mfaEnabled ? 'on' : 'off'}
        </Badge>
      </Table.Td>
      <Table.Td className="nowrap">
        {user.lastLoginAt ? (
          <TimeAgo key={user.lastLoginAt} value={user.lastLoginAt} />
        ) : (
          <Text span size="sm">
            never
          </Text>
        )}
      </Table.Td>
      <Table.Td className="nowrap">
        <Group gap="xs" wrap="nowrap">
          <Button
            size="xs"
            variant="default"
            onClick={() => onResetPassword(user)}
            aria-label={`Reset password of ${who}`}
          >
            Reset password
          </Button>
          {user.isActive ? (
            <ConfirmButton
              size="xs"
              label={`Deactivate ${who}`}
              buttonText="Deactivate"
              consequence={`${user.name} (${user.email}) can no longer sign in; their sessions, tokens and API keys stop working at once. You can reactivate them later.`}
              confirmLabel={`Deactivate ${user.name}`}
              disabledReason={deactivateBlocked}
              onConfirm={() => setActive(false)}
            />
          ) : (
            <ConfirmButton
              size="xs"
              color="blue"
              label={`Reactivate ${who}`}
              buttonText="Reactivate"
              consequence={`${user.name} (${user.email}) can sign in again with their password, as ${withArticle(user.role)}. The sessions ended by the deactivation stay ended.`}
              confirmLabel={`Reactivate ${user.name}`}
              onConfirm={() => setActive(true)}
            />
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
