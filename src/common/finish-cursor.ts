/** A place in a list of finishes ordered by (finish time, id): the last one read. */
export interface FinishCursor {
  at: Date;
  id: string;
}

/** The cursor before every finish at `at` or later. */
export const cursorAt = (at: Date): FinishCursor => ({ at, id: '00000000-0000-0000-0000-000000000000' });
