/** `datetime-local` inputs: their value is a date and time in the browser's time zone, to the minute. */

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as a `datetime-local` input's value, in the browser's time zone (minutes); '' when none. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/**
 * A `datetime-local` input's value (the browser's time zone) as an ISO instant, or undefined when it is empty or
 * not a date and time; `to` ends at the last millisecond of its minute, so "to 10:30" includes what happened
 * during 10:30.
 */
export function fromLocalInput(value: string, end: 'from' | 'to' = 'from'): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  if (end === 'to' && value.length === 16) date.setSeconds(59, 999);
  return date.toISOString();
}
