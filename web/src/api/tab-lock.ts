/**
 * One tab at a time: work that must not overlap across the console's tabs (and windows) of one origin, such as
 * spending the refresh cookie, which every tab of the browser shares.
 */

/** What is used of the Web Locks API (`navigator.locks`). */
export interface Locks {
  /** Runs `work` once the exclusive lock `name` is granted, holding it until `work` settles. */
  request<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** The browser's locks, or none: older browsers, and pages not served from a secure context, have no Web Locks. */
function browserLocks(): Locks | undefined {
  const locks = typeof navigator === 'undefined' ? undefined : (navigator.locks as LockManager | undefined);
  if (!locks || typeof locks.request !== 'function') return undefined;
  return { request: (name, work) => locks.request(name, () => work()) };
}

/**
 * Runs `work` while holding the lock `name`, which every tab of the origin shares: another tab's work under the
 * same name starts only once this one has settled (and this one waits for any in progress). Without Web Locks,
 * or when the browser refuses the request (a sandboxed page), `work` runs at once, still exactly once.
 */
export async function oneTabAtATime<T>(
  name: string,
  work: () => Promise<T>,
  locks: Locks | undefined = browserLocks(),
): Promise<T> {
  if (!locks) return work();
  let started = false;
  try {
    return await locks.request(name, () => {
      started = true;
      return work();
    });
  } catch (err) {
    if (started) throw err;
    return work();
  }
}
