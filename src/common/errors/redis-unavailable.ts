/**
 * What ioredis (and BullMQ over it) reject a command with when Redis cannot be reached: the command was never
 * run, so the request may succeed once Redis is back.
 */
const REDIS_UNAVAILABLE_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);
const REDIS_UNAVAILABLE_MESSAGES = [
  /^Connection is closed\.?$/,
  /^Stream isn't writeable and enableOfflineQueue options is false$/,
  /^None of startup nodes is available$/,
  /^Cluster isn't ready and enableOfflineQueue options is false$/,
  /^Reached the max retries per request limit/,
  // A connection with a command timeout (the rate limiter's) whose Redis does not answer.
  /^Command timed out$/,
  // A Redis Cluster that lost a master with no replica to take over: its slots (or all, by default) refuse
  // commands until the master is back; the client gives up after its redirections.
  /^CLUSTERDOWN /,
  /^TRYAGAIN /,
  /^Too many Cluster redirections/,
];

function isRedisUnavailableError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return REDIS_UNAVAILABLE_NAMES.has(err.name) || REDIS_UNAVAILABLE_MESSAGES.some((re) => re.test(err.message));
}

/** True when `err`, or an error it was caused by, means Redis is not reachable right now. */
export function isRedisUnavailable(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (isRedisUnavailableError(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
