import { type RefObject, useEffect, useRef } from 'react';
import { useLocation } from 'react-router';

/** How long a new page may take to show its heading (its code and its data read first). */
const WATCH_MS = 10_000;
const STEP_MS = 50;

/**
 * Keeps a keyboard or screen reader user's place when a page is left under their hand: a submit that goes on to
 * a new page (Create agent to the agent, Submit task to the task, Save workflow, Start run to the run) takes the
 * focused button away with its page, and focus would fall to the top of the document. While it stays lost, it
 * is put on the new page's heading (its h1, PageTitle) once that shows, and kept there while the page replaces
 * it. Focus anywhere else (a link of the menu followed, a field the page focuses, the notice a page left,
 * NavigationNotice) is left where it is, and a dialog closing with its page is waited for. The first page shown
 * is not a navigation: nothing is moved.
 */
export function focusHeadingWhileLost(main: () => HTMLElement | null, doc: Document = document): () => void {
  const started = Date.now();
  let timer = 0;
  let focused: HTMLElement | null = null;
  const check = () => {
    const active = doc.activeElement;
    const lost = active === null || active === doc.body || !active.isConnected;
    // A page showing its heading anew once its data is read (a placeholder's first) takes the one focused away:
    // focus goes on to the new one. Focus put anywhere else ends the watch.
    if (!lost && active !== focused && active.closest('[role="dialog"]') === null) return;
    const heading = main()?.querySelector<HTMLElement>('h1');
    if (lost && heading) {
      heading.focus();
      focused = heading;
    }
    if (Date.now() - started < WATCH_MS) timer = window.setTimeout(check, STEP_MS);
  };
  check();
  return () => window.clearTimeout(timer);
}

/** {@link focusHeadingWhileLost} after each change of page (its path; not of its query, a filter or a page of a list). */
export function useFocusHeadingAfterNavigation(main: RefObject<HTMLElement | null>): void {
  const { pathname } = useLocation();
  const first = useRef(pathname);
  useEffect(() => {
    if (first.current === pathname) return;
    first.current = '';
    return focusHeadingWhileLost(() => main.current);
  }, [pathname, main]);
}
