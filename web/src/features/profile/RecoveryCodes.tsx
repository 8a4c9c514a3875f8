import { SecretOnce } from '../../components/SecretOnce';

/** Recovery codes, right after they are made: the only time they are shown (the server keeps only hashes). */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <SecretOnce
      title="Your recovery codes"
      headingOrder={3}
      warning="Store these codes somewhere safe now: they will not be shown again. Each one signs you in once, instead of a code from your app, if you lose your phone."
      copyValue={codes.join('\n')}
      copyLabel="Copy recovery codes"
      doneLabel="Done, I have stored them"
      onDone={onDone}
    >
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
    </SecretOnce>
  );
}
