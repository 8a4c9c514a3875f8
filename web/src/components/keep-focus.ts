/** How long after an action its button may still be taken away (the answer, then a refetch or a live event). */
const WATCH_MS = 2000;
const STEP_MS = 50;

/**
 * Keeps a keyboard user's place after an action whose button may then disappear (a task's Cancel gives way to
 * Retry, a step's Approve to its decision): while focus stays in `trigger` (a button, or the group of them) or
 * is lost with it (on the page's body), it is moved to `fallback()` once `trigger` has left the page. Focus put
 * anywhere else ends the watch.
 */
export function keepFocusAfter(
  trigger: () => HTMLElement | null | undefined,
  fallback: () => HTMLElement | null | undefined,
): void {
  const started = Date.now();
  const check = () => {
    const active = document.activeElement;
    const lost = active === null || active === document.body || !active.isConnected;
    const gone = !(trigger()?.isConnected ?? false);
    if (lost && gone) {
      fallback()?.focus();
      return;
    }
    // A dialog that is closing still holds focus, and gives it back to the trigger when it has closed.
    const settling = lost || (trigger()?.contains(active) ?? false) || active?.closest('[role="dialog"]') !== null;
    if (settling && Date.now() - started < WATCH_MS) window.setTimeout(check, STEP_MS);
  };
  window.setTimeout(check, STEP_MS);
}
