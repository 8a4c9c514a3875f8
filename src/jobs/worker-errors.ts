/**
 * What a queue worker's error says in its log. BullMQ's "Missing key for job 1234. moveToFinished" (one per job,
 * each with its own id) comes when a job's record is gone from Redis, restarted empty or flushed: said once in
 * words that tell an operator nothing is lost, and the same for every job, so repeated lines fold into one.
 */
export function workerErrorMessage(worker: string, err: Error): string {
  if (/^Missing key for job /.test(err.message)) {
    return (
      `${worker}: jobs were gone from Redis (restarted empty or flushed); what they stood for is queued again ` +
      'from PostgreSQL'
    );
  }
  // The job is there, its lock is not: it expired while Redis was away (restarted, with its data or without) or
  // while this worker was stalled, and the job may be another worker's now.
  if (/^Missing lock for job /.test(err.message)) {
    return (
      `${worker}: jobs' locks were gone from Redis (it was away, or this worker stalled past ` +
      "QUEUE_LOCK_DURATION_MS); another worker may take them again, and their tasks' guarded writes keep one result"
    );
  }
  return `${worker}: ${err.message}`;
}
