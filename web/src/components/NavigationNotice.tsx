import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'react-router';
import { Notice } from './Notice';

/** The notice another page left in the history entry it navigated to (`navigate(to, { state: { notice } })`). */
export function noticeOf(state: unknown): string | null {
  const notice = (state as { notice?: unknown } | null)?.notice;
  return typeof notice === 'string' ? notice : null;
}

/**
 * What the page before did on its way here (a deletion's result), until dismissed. Focus is put on it when it
 * shows: the button that did it left with that page, and a keyboard user goes on from here.
 */
export function NavigationNotice() {
  const location = useLocation();
  const [notice, setNotice] = useState<string | null>(() => noticeOf(location.state));
  const box = useRef<HTMLDivElement>(null);
  const shown = notice !== null;
  useEffect(() => {
    if (shown) box.current?.focus();
  }, [shown]);
  if (!notice) return null;
  return (
    <div ref={box} tabIndex={-1}>
      <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>
    </div>
  );
}
