import { Button, Paper, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { TimeAgo } from '../../components/TimeAgo';
import { type AuditVerification, verificationErrorInWords, verificationInWords } from './audit-verification';

/**
 * Recomputes the audit log's hash chain on the server and says the result in words, in a live region so a
 * screen reader hears it when it arrives.
 */
export function VerifyChain() {
  const verification = useQuery({
    queryKey: queryKeys.audit.verify(),
    // A long chain is checked in passes (each within the server's time budget): go on until done or broken.
    queryFn: async () => {
      let checked = 0;
      let fromSeq: string | undefined;
      let anchor: AuditVerification['anchor'];
      for (;;) {
        const pass = unwrap(
          await api.GET('/api/v1/audit-logs/verify', { params: { query: fromSeq ? { fromSeq } : {} } }),
        );
        checked += pass.checked;
        // Later passes link to the entry before them; the first says where the whole check started.
        anchor ??= pass.anchor;
        if (pass.complete || !pass.valid || !pass.nextFromSeq) return { ...pass, checked, anchor };
        fromSeq = pass.nextFromSeq;
      }
    },
    enabled: false,
    retry: false,
  });
  const busy = verification.isFetching;
  const result = busy
    ? { tone: undefined, text: 'Verifying the audit chain…' }
    : verification.isError
      ? verificationErrorInWords(verification.error)
      : verification.data
        ? verificationInWords(verification.data)
        : null;
  const checkedAt = !busy && verification.data && !verification.isError ? verification.dataUpdatedAt : 0;

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="audit-verify-title">
      <Text id="audit-verify-title" fw={600} mb={4}>
        Tamper check
      </Text>
      <Text size="sm" c="dimmed" mb="sm">
        Every entry carries the hash of the one before it. Verifying recomputes each hash, oldest first, and names the
        first entry that does not match.
      </Text>
      <div className="audit-verify">
        <Button variant="default" loading={busy} onClick={() => void verification.refetch()}>
          Verify chain
        </Button>
        <div className="audit-verify-result" role="status" data-tone={result?.tone}>
          {result?.text}
        </div>
        {checkedAt > 0 && (
          <Text size="xs" c="dimmed">
            Checked <TimeAgo key={checkedAt} value={new Date(checkedAt)} />
          </Text>
        )}
      </div>
    </Paper>
  );
}
