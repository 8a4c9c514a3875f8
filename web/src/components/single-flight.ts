/** One action at a time: see {@link singleFlight}. */
export interface SingleFlight {
  /** Whether an action started here is still under way. */
  readonly running: boolean;
  /**
   * Runs `action`, unless one started here is still under way: then nothing runs and the answer is `undefined`.
   * A second start meanwhile (a double click, Enter pressed twice) is dropped, not queued.
   */
  run<T>(action: () => Promise<T>): Promise<T | undefined>;
}

/**
 * A guard that lets one action run at a time. It is set the moment the action starts, before the page has
 * re-rendered its button as busy: a second click that lands before then finds it set.
 */
export function singleFlight(): SingleFlight {
  let running = false;
  return {
    get running() {
      return running;
    },
    async run<T>(action: () => Promise<T>): Promise<T | undefined> {
      if (running) return undefined;
      running = true;
      try {
        return await action();
      } finally {
        running = false;
      }
    },
  };
}
