import { type RefObject, useCallback, useEffect, useState } from 'react';

/** How long a refused form may take to mark its fields (a schema form marks them on a second render). */
const WATCH_MS = 1000;
const STEP_MS = 50;

const FIELDS = 'input:not([type="hidden"]), select, textarea';

/**
 * Whether a field is marked wrong: `aria-invalid` (the console's inputs, Mantine's), or described by an error
 * list shown for it (a schema form's select or checkbox).
 */
function isMarked(field: HTMLElement): boolean {
  if (field.getAttribute('aria-invalid') === 'true') return true;
  const ids = (field.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  return ids.some((id) => {
    const described = field.ownerDocument.getElementById(id);
    return described?.matches('.error-detail') === true && (described.textContent ?? '').trim() !== '';
  });
}

/** The first field in `container` that can take focus (its first button, when it has no field). */
export function firstField(container: HTMLElement | null): HTMLElement | null {
  if (!container) return null;
  const enabled = (selector: string) =>
    [...container.querySelectorAll<HTMLElement>(selector)].find((element) => !element.matches(':disabled')) ?? null;
  return enabled(FIELDS) ?? enabled('button');
}

/** The first field in `container`, in the page's order, that is marked wrong and can take focus. */
export function firstMarkedField(container: HTMLElement | null): HTMLElement | null {
  if (!container) return null;
  const fields = container.querySelectorAll<HTMLElement>(FIELDS);
  return [...fields].find((field) => !field.matches(':disabled') && isMarked(field)) ?? null;
}

/**
 * Focuses the first field in `container` marked wrong, once it is marked: a refusal is shown on its fields in
 * the render after it arrives (a schema form's, in the one after that). Focus put outside the container
 * meanwhile is left there. Returns a function that stops the wait.
 */
export function focusFirstMarkedField(container: () => HTMLElement | null): () => void {
  const started = Date.now();
  let timer = 0;
  const check = () => {
    const box = container();
    if (!box?.isConnected) return;
    const active = box.ownerDocument.activeElement;
    const elsewhere = active !== null && active !== box.ownerDocument.body && !box.contains(active);
    if (elsewhere) return;
    const field = firstMarkedField(box);
    field?.focus();
    // A field that could not take focus yet (in a folded section opening to show it) is tried again.
    const focused = field !== null && box.ownerDocument.activeElement === field;
    if (!focused && Date.now() - started < WATCH_MS) timer = window.setTimeout(check, STEP_MS);
  };
  timer = window.setTimeout(check);
  return () => window.clearTimeout(timer);
}

/**
 * A form refused by the server with field details, as a client-side check refuses one: the first field the
 * refusal marks takes focus, rather than the submit button. `refusal` is the refusal shown (null while none
 * is): each new one focuses its first field.
 */
export function useFocusOnRefusal(container: RefObject<HTMLElement | null>, refusal: unknown): void {
  useEffect(() => {
    if (!refusal) return;
    return focusFirstMarkedField(() => container.current);
  }, [refusal, container]);
}

/**
 * One watch at a time ({@link focusFirstMarkedField}'s): `start` stops the one before it and begins another
 * (`begin` returns the function that stops it), `stop` stops the current one. Repeated submits then leave no
 * watchers behind, each still polling to focus a field of a refusal already replaced.
 */
export function oneWatch(): { start: (begin: () => () => void) => void; stop: () => void } {
  let current: (() => void) | null = null;
  const stop = () => {
    const running = current;
    current = null;
    running?.();
  };
  return {
    start: (begin) => {
      stop();
      current = begin();
    },
    stop,
  };
}

/**
 * {@link focusFirstMarkedField} for a form's submit: returns `focus` (starts a watch on a container) and `stop`
 * (call it when a new submit starts); a new watch, or leaving the page, stops the one before.
 */
export function useFocusMarkedField(): {
  focus: (container: () => HTMLElement | null) => void;
  stop: () => void;
} {
  const [watch] = useState(oneWatch);
  useEffect(() => watch.stop, [watch]);
  const focus = useCallback(
    (container: () => HTMLElement | null) => watch.start(() => focusFirstMarkedField(container)),
    [watch],
  );
  return { focus, stop: watch.stop };
}
