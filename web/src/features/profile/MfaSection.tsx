import { Alert, Badge, Button, Group, Paper, Skeleton, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { QRCodeSVG } from 'qrcode.react';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { components } from '../../api/schema';
import { queryKeys } from '../../api/query-keys';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState } from '../../components/ErrorState';
import { CopyValueButton } from '../../components/CopyValueButton';
import { groupSecret, mfaErrorMessage, secondFactor } from './mfa';
import { RecoveryCodes } from './RecoveryCodes';

type MfaSetup = components['schemas']['MfaSetupDto'];

/** Scan (or type) the new secret, then confirm it with a code: only then is MFA on. */
function Enrolment({
  setup,
  onEnabled,
  onCancel,
}: {
  setup: MfaSetup;
  onEnabled: (codes: string[]) => void;
  onCancel: () => void;
}) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const factor = secondFactor(code);
    if (!factor || !('code' in factor)) {
      setError('Enter the 6-digit code your app shows.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const enabled = unwrap(await api.POST('/api/v1/auth/mfa/enable', { body: { code: factor.code } }));
      onEnabled(enabled.recoveryCodes);
    } catch (err) {
      setError(mfaErrorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="sm">
      <Title order={3} size="h5" ref={heading} tabIndex={-1}>
        Set up two-factor authentication
      </Title>
      <ol className="mfa-steps">
        <li>
          <Stack gap="xs" align="flex-start">
            <Text>Scan this QR code with an authenticator app (such as Aegis, 1Password or Google Authenticator).</Text>
            <div className="qr-frame">
              <QRCodeSVG
                value={setup.otpauthUrl}
                size={184}
                marginSize={2}
                role="img"
                aria-label="QR code of your two-factor secret, for an authenticator app"
              />
            </div>
            <Text size="sm">
              Cannot scan it? Type the secret into the app instead (time-based, 6 digits, 30 seconds):
            </Text>
            <Group align="flex-end">
              <TextInput
                label="Secret"
                readOnly
                value={groupSecret(setup.secret)}
                classNames={{ input: 'mfa-secret' }}
                onFocus={(e) => e.currentTarget.select()}
                spellCheck={false}
                autoComplete="off"
                w={440}
              />
              <CopyValueButton value={setup.secret} label="Copy secret" />
            </Group>
          </Stack>
        </li>
        <li>
          <form onSubmit={(e) => void submit(e)} noValidate>
            <Stack gap="xs" align="flex-start">
              <TextInput
                label="Code"
                description="The 6-digit code your app now shows for YMERA"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                maxLength={7}
                value={code}
                error={error}
                onChange={(e) => setCode(e.currentTarget.value)}
                w={300}
              />
              <Group>
                <Button type="submit" loading={busy}>
                  Enable
                </Button>
                <Button variant="default" onClick={onCancel} disabled={busy}>
                  Cancel
                </Button>
              </Group>
            </Stack>
          </form>
        </li>
      </ol>
    </Stack>
  );
}

/** MFA is on: replace the recovery codes, or turn it off, each with a current code. */
function ManageMfa({
  remaining,
  onRegenerated,
  onDisabled,
}: {
  remaining: number;
  onRegenerated: (codes: string[]) => void;
  onDisabled: () => Promise<unknown>;
}) {
  const [typed, setTyped] = useState('');
  const factor = secondFactor(typed);
  const appCode = factor && 'code' in factor ? factor.code : null;

  const regenerate = async () => {
    if (!appCode) throw new Error('Enter the 6-digit code from your app first.');
    try {
      const result = unwrap(await api.POST('/api/v1/auth/mfa/recovery-codes', { body: { code: appCode } }));
      setTyped('');
      onRegenerated(result.recoveryCodes);
    } catch (err) {
      throw new Error(mfaErrorMessage(err), { cause: err });
    }
  };
  const disable = async () => {
    if (!factor) throw new Error('Enter a code or a recovery code first.');
    try {
      unwrap(await api.POST('/api/v1/auth/mfa/disable', { body: factor }));
    } catch (err) {
      throw new Error(mfaErrorMessage(err), { cause: err });
    }
    setTyped('');
    await onDisabled();
  };

  return (
    <Stack gap="sm" align="flex-start">
      {remaining <= 3 && (
        <Alert color="yellow" variant="light" title="Few recovery codes left">
          {remaining === 0 ? 'No recovery codes are left' : `Only ${remaining} recovery codes are left`}: regenerate
          them so that losing your phone does not lock you out.
        </Alert>
      )}
      <TextInput
        label="Code"
        description="The 6-digit code from your app. To turn two-factor authentication off, a recovery code works too."
        autoComplete="one-time-code"
        value={typed}
        onChange={(e) => setTyped(e.currentTarget.value)}
        w={360}
      />
      <Group>
        <ConfirmButton
          label="Regenerate recovery codes"
          color="blue"
          consequence="Your current recovery codes stop working at once, and ten new ones are shown, once."
          confirmLabel="Regenerate the codes"
          onConfirm={regenerate}
          disabledReason={appCode ? undefined : 'Enter the 6-digit code from your app first'}
        />
        <ConfirmButton
          label="Turn off two-factor authentication"
          consequence="Signing in will need only your password again, and your recovery codes are deleted."
          confirmLabel="Turn it off"
          onConfirm={disable}
          disabledReason={factor ? undefined : 'Enter a code or a recovery code first'}
        />
      </Group>
    </Stack>
  );
}

/** The user's two-factor authentication (TOTP): its state, enrolment, recovery codes and turning it off. */
export function MfaSection() {
  const queryClient = useQueryClient();
  const status = useQuery({
    queryKey: queryKeys.mfa,
    queryFn: async () => unwrap(await api.GET('/api/v1/auth/mfa')),
  });
  const [setup, setSetup] = useState<MfaSetup | null>(null);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<unknown>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.mfa });

  const start = async () => {
    setStarting(true);
    setStartError(null);
    setNotice(null);
    try {
      setSetup(unwrap(await api.POST('/api/v1/auth/mfa/setup')));
    } catch (err) {
      setStartError(err);
    } finally {
      setStarting(false);
    }
  };

  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="mfa-title">
      <Stack>
        <Title order={2} size="h4" id="mfa-title">
          Two-factor authentication
        </Title>
        {status.isPending ? (
          <Skeleton role="progressbar" height={64} aria-label="Loading two-factor authentication" />
        ) : status.isError ? (
          <ErrorState
            title="Could not load the two-factor state"
            error={status.error}
            onRetry={() => void status.refetch()}
          />
        ) : (
          <>
            <Group gap="sm">
              <Badge color={status.data.mfaEnabled ? 'green' : 'gray'} variant="light" radius="sm">
                {status.data.mfaEnabled ? 'On' : 'Off'}
              </Badge>
              <Text>
                {status.data.mfaEnabled
                  ? `Signing in needs your password and a code from your app. ${status.data.recoveryCodesRemaining.toLocaleString('en')} recovery ${status.data.recoveryCodesRemaining === 1 ? 'code' : 'codes'} left.`
                  : 'Signing in needs only your password.'}
              </Text>
            </Group>
            {notice && (
              <Alert color="green" variant="light" role="status">
                {notice}
              </Alert>
            )}
            {codes && <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />}
            {status.data.mfaEnabled ? (
              <ManageMfa
                remaining={status.data.recoveryCodesRemaining}
                onRegenerated={(next) => {
                  setCodes(next);
                  void refresh();
                }}
                onDisabled={async () => {
                  setCodes(null);
                  setNotice('Two-factor authentication is off.');
                  await refresh();
                }}
              />
            ) : setup ? (
              <Enrolment
                setup={setup}
                onEnabled={(next) => {
                  setSetup(null);
                  setCodes(next);
                  setNotice('Two-factor authentication is on: signing in now asks for a code from your app.');
                  void refresh();
                }}
                onCancel={() => setSetup(null)}
              />
            ) : (
              <Stack gap="xs" align="flex-start">
                <Text size="sm" c="dimmed" maw={640}>
                  With two-factor authentication on, signing in also needs a 6-digit code from an authenticator app on
                  your phone, so a leaked password alone does not let anyone in.
                </Text>
                {startError !== null && (
                  <ErrorState title="Could not start the set-up" error={startError} onRetry={() => void start()} />
                )}
                <Button loading={starting} onClick={() => void start()}>
                  Set up two-factor authentication
                </Button>
              </Stack>
            )}
          </>
        )}
      </Stack>
    </Paper>
  );
}
