import { useEffect, useState } from 'react';

/**
 * Unsaved input that outlives a session ended by the service (it expired, a new password, a change of role):
 * the console moves to the sign-in page at once, and the page holding the input is gone. Each editor that holds
 * input names it here while it is unsaved; when the session ends, what they hold is kept, in memory (never in
 * web storage), under the user's id, and the same editor opened by the same user after signing in again starts
 * from it. Signing out by one's own hand keeps nothing; neither does a reload.
 */

/** A draft: the text, and what it was begun on (the version of what the editor edits; '' for something new). */
interface Draft {
  text: string;
  basis: string;
}

/** What each mounted editor holds unsaved, by its draft key. */
const editors = new Map<string, () => Draft>();
/** Drafts kept when a session ended, by user and draft key. */
const kept = new Map<string, Draft>();

function keptKey(userId: string, key: string): string {
  return `${userId} ${key}`;
}

/** Keeps what every editor holds unsaved, for `userId` to find again (the session has just ended). */
export function keepDrafts(userId: string): void {
  for (const [key, unsaved] of editors) kept.set(keptKey(userId, key), unsaved());
}

/** Forgets every kept draft (a sign-out by the user's own hand). */
export function forgetDrafts(): void {
  kept.clear();
}

/**
 * The text an editor of `basis` (the version of what it edits) starts from: `initial`, or the draft `userId` left
 * unsaved in it when their session ended (then forgotten: it is the editor's own again); whether it is such a
 * draft, and whether what it edits changed since the draft was begun (saving it would replace that change).
 */
export function useKeptDraft(
  userId: string,
  key: string,
  initial: string,
  basis: string,
): { start: string; restored: boolean; outdated: boolean } {
  const [draft] = useState(() => {
    const found = kept.get(keptKey(userId, key));
    return found !== undefined && found.text !== initial ? found : undefined;
  });
  useEffect(() => {
    kept.delete(keptKey(userId, key));
  }, [userId, key]);
  return { start: draft?.text ?? initial, restored: draft !== undefined, outdated: !!draft && draft.basis !== basis };
}

/**
 * Names what the editor `key` holds unsaved now (null: nothing), and the version it was begun on, to be kept
 * should the session end.
 */
export function useDraftKeeping(key: string, unsaved: string | null, basis: string): void {
  useEffect(() => {
    if (unsaved === null) return;
    editors.set(key, () => ({ text: unsaved, basis }));
    return () => {
      editors.delete(key);
    };
  }, [key, unsaved, basis]);
}
