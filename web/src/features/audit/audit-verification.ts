import { ApiError } from '../../api/errors';

/** What `GET /api/v1/audit-logs/verify` answers. */
export interface AuditVerification {
  valid: boolean;
  checked: number;
  firstBrokenId?: string;
  reason?: 'hash' | 'link' | 'checkpoint';
  /** What the first entry checked links to: a retention checkpoint when older entries were archived. */
  anchor?: { kind: 'genesis' | 'checkpoint' | 'entry'; seq: string };
  complete?: boolean;
  nextFromSeq?: string;
}

export type VerificationTone = 'intact' | 'broken' | 'error';

const count = (n: number) => `${n.toLocaleString('en')} ${n === 1 ? 'entry' : 'entries'}`;

/** The verification's result as a sentence a screen reader can say as it is. */
export function verificationInWords(result: AuditVerification): { tone: VerificationTone; text: string } {
  const archived =
    result.anchor?.kind === 'checkpoint'
      ? ` Entries up to number ${Number(result.anchor.seq).toLocaleString('en')} were archived; the check started from their signed checkpoint.`
      : '';
  if (result.reason === 'checkpoint') {
    return {
      tone: 'broken',
      text: 'The signed checkpoint the chain starts from does not match its signature: it was altered, or signed with another key.',
    };
  }
  if (result.valid) {
    return {
      tone: 'intact',
      text:
        (result.checked === 0
          ? 'The audit chain is intact: it has no entries yet.'
          : `The audit chain is intact: ${count(result.checked)} checked.`) + archived,
    };
  }
  const intactBefore = Math.max(0, result.checked - 1);
  const position = `number ${result.checked.toLocaleString('en')} in chain order`;
  const where = result.firstBrokenId ? `entry ${result.firstBrokenId} (${position})` : `entry ${position}`;
  return {
    tone: 'broken',
    text:
      `The chain is broken at ${where}: its hash or its link to the entry before does not match. ` +
      `The ${count(intactBefore)} before it ${intactBefore === 1 ? 'is' : 'are'} intact; ` +
      'that entry and every later one may have been altered.',
  };
}

/** A failed verification request in words, with the code and request id to search the logs for. */
export function verificationErrorInWords(error: unknown): { tone: VerificationTone; text: string } {
  if (error instanceof ApiError) {
    const request = error.requestId ? `, request ${error.requestId}` : '';
    return { tone: 'error', text: `The chain could not be verified: ${error.message} (${error.code}${request}).` };
  }
  const message = error instanceof Error ? error.message : 'unknown error';
  return { tone: 'error', text: `The chain could not be verified: ${message}.` };
}
