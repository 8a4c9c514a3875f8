import { Alert, Button, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api/errors';
import { useSession } from '../../app/session';
import { safeNext } from './safe-next';
import { signInErrorMessage } from './sign-in-errors';

export function SignInPage() {
  const { state, signIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [mfa, setMfa] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** The first MFA_REQUIRED is a prompt for the code, not a failure. */
  const [prompt, setPrompt] = useState(false);
  const [busy, setBusy] = useState(false);
  const codeInput = useRef<HTMLInputElement>(null);
  const emailInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = 'Sign in · YMERA';
    // The page is its form: typing starts in its first field.
    emailInput.current?.focus();
  }, []);
  useEffect(() => {
    if (mfa) codeInput.current?.focus();
  }, [mfa]);

  if (state.status === 'signed-in') return <Navigate to={safeNext(params.get('next'))} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const second = code.trim();
    const isRecoveryCode = second.length > 8;
    signIn({
      email: email.trim(),
      password,
      ...(mfa && second ? (isRecoveryCode ? { recoveryCode: second } : { totp: second }) : {}),
    })
      .then(() => navigate(safeNext(params.get('next')), { replace: true }))
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.code === 'MFA_REQUIRED') {
          setPrompt(!mfa);
          setError(signInErrorMessage(err, mfa));
          setMfa(true);
          setCode('');
        } else {
          setPrompt(false);
          setError(signInErrorMessage(err, mfa));
        }
      })
      .finally(() => setBusy(false));
  };

  return (
    <main className="centered-page">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={380}>
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={1} size="h2">
              Sign in to YMERA
            </Title>
            {state.status === 'signed-out' && state.ended && !error && (
              <Alert color="blue" variant="light" role="status">
                Your session ended: it expired, or it was ended elsewhere (a sign-out, a new password, a change of role
                or account). Sign in again.
              </Alert>
            )}
            {error && (
              <Alert color={prompt ? 'blue' : 'red'} variant="light" role="alert">
                {error}
              </Alert>
            )}
            <TextInput
              ref={emailInput}
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            {mfa && (
              <TextInput
                ref={codeInput}
                label="Code"
                description="The 6-digit code from your authenticator app, or a recovery code"
                autoComplete="one-time-code"
                inputMode="text"
                required
                value={code}
                onChange={(e) => setCode(e.currentTarget.value)}
              />
            )}
            <Button type="submit" loading={busy} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </main>
  );
}
