/**
 * What a queue worker's error says in its log. BullMQ's "Missing key for job 1234. moveToFinished" (one per job,
 * each with its own id) comes when a job's record is gone from Redis, restarted empty or flushed: said once in
 * words that tell an operator nothing is lost, and the same for every job, so repeated lines fold into one.
 */
export function workerErrorMessage(worker: string, err: Error): string {
  if (/^Missing (key|lock) for job /.test(err.message)) {
    return (
      `${worker}: jobs were gone from Redis (restarted empty or flushed); what they stood for is queued again ` +
      'from PostgreSQL'
    );
  }
  return `${worker}: ${err.message}`;
}
