import { type ComponentType, createElement, lazy } from 'react';

/** What a browser says when code (a chunk, its CSS) could not be fetched. */
const NOT_LOADED = /preload CSS|dynamically imported module|Importing a module script failed|Failed to fetch/i;

/** Whether `error` is code of the console that could not be fetched (the platform unreachable, or redeployed). */
export function isCodeNotLoaded(error: unknown): boolean {
  return error instanceof Error && NOT_LOADED.test(error.message);
}

/** Why `what` ("This page's code") is missing, in the words every such failure is told in. */
export function codeNotLoaded(what: string): string {
  return `${what} could not be loaded: the platform may be unreachable, or was updated since this tab opened.`;
}

/** For each import's error, what makes its component import again on its next render. */
const renewals = new WeakMap<object, () => void>();

/**
 * Lets the next render of the component whose import failed with `error` import it again. Called once the error
 * is shown (by the error boundary that caught it): forgetting sooner would have React's own re-render after the
 * failure import again, and again, with nothing shown while the platform stays unreachable.
 */
export function forgetFailedImport(error: unknown): void {
  if (typeof error === 'object' && error !== null) renewals.get(error)?.();
}

/**
 * `React.lazy`, except that a failed import can be forgotten ({@link forgetFailedImport}): React keeps a lazy
 * component's rejected import for good (its error shown until the tab is reloaded), so forgetting puts a new
 * lazy component in its place, and the next render (an error boundary's "Try again") imports again. An import
 * that succeeded is kept.
 */
export function lazyRetrying<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): ComponentType<P> {
  const attempt = (): ComponentType<P> => {
    const component = lazy(() =>
      load().catch((error: unknown) => {
        if (typeof error === 'object' && error !== null) {
          renewals.set(error, () => {
            if (current === component) current = attempt();
          });
        }
        throw error;
      }),
    );
    return component;
  };
  let current = attempt();
  function Retrying(props: P) {
    return createElement(current, props);
  }
  return Retrying;
}
