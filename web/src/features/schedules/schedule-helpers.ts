/**
 * The Schedules page's pure logic: a timing in words, the form to and from the API's body, the server's
 * refusals (`details[].field` JSON pointers) on the fields they name, and where a fire's task or run is.
 */
import { detailsOnFields } from '../../api/errors';
import { fromLocalInput, toLocalInput } from '../../app/local-time';
import type { components } from '../../api/schema';
import { pageOfSearch, pageQuery } from '../../components/paging';
import type { FieldErrors } from '../../components/use-dialog-submit';
import { plainMessage } from '../agents/plain-errors';

export type Schedule = components['schemas']['ScheduleDto'];
export type CreateScheduleBody = components['schemas']['CreateScheduleDto'];
export type UpdateScheduleBody = components['schemas']['UpdateScheduleDto'];
export type TargetKind = Schedule['target']['kind'];
export type Overlap = Schedule['overlap'];

export const SCHEDULES_PAGE_SIZE = 25;

export const EVERY_UNITS = [
  { value: 'seconds', label: 'seconds', ms: 1000 },
  { value: 'minutes', label: 'minutes', ms: 60_000 },
  { value: 'hours', label: 'hours', ms: 3_600_000 },
] as const;
export type EveryUnit = (typeof EVERY_UNITS)[number]['value'];

const UNIT_WORDS: { ms: number; one: string; short: string }[] = [
  { ms: 24 * 3_600_000, one: 'day', short: 'days' },
  { ms: 3_600_000, one: 'hour', short: 'h' },
  { ms: 60_000, one: 'minute', short: 'min' },
  { ms: 1000, one: 'second', short: 's' },
];

/** "every minute", "every 5 min", "every 90 s", "every 2 days"; odd periods in the largest unit they fill. */
export function describeEvery(everyMs: number): string {
  for (const { ms, one, short } of UNIT_WORDS) {
    if (everyMs % ms === 0) {
      const count = everyMs / ms;
      return count === 1 ? `every ${one}` : `every ${count.toLocaleString('en')} ${short}`;
    }
  }
  return `every ${everyMs.toLocaleString('en')} ms`;
}

/** "cron 0 9 * * 1-5 (Europe/Berlin)" or "every 5 min": how often a schedule fires, in words. */
export function describeTiming(timing: Pick<Schedule, 'cron' | 'everyMs' | 'timezone'>): string {
  if (timing.cron) return `cron ${timing.cron} (${timing.timezone})`;
  if (timing.everyMs) return describeEvery(timing.everyMs);
  return 'no timing';
}

/** A period as the form shows it: in the largest of its units that divides it. */
export function everyToForm(everyMs: number): { count: string; unit: EveryUnit } {
  for (const unit of [...EVERY_UNITS].reverse()) {
    if (everyMs % unit.ms === 0) return { count: String(everyMs / unit.ms), unit: unit.value };
  }
  return { count: String(everyMs / 1000), unit: 'seconds' };
}

export interface ScheduleForm {
  name: string;
  kind: TargetKind;
  agentId: string;
  workflowId: string;
  /** The input as JSON text. */
  input: string;
  timing: 'cron' | 'every';
  cron: string;
  timezone: string;
  everyCount: string;
  everyUnit: EveryUnit;
  /** `datetime-local` values (the browser's time zone), or empty. */
  startAt: string;
  endAt: string;
  overlap: Overlap;
}

export function emptyForm(timezone: string): ScheduleForm {
  return {
    name: '',
    kind: 'agent',
    agentId: '',
    workflowId: '',
    input: '{}',
    timing: 'cron',
    cron: '',
    timezone,
    everyCount: '5',
    everyUnit: 'minutes',
    startAt: '',
    endAt: '',
    overlap: 'allow',
  };
}

export function formFromSchedule(schedule: Schedule): ScheduleForm {
  const every = schedule.everyMs ? everyToForm(schedule.everyMs) : { count: '5', unit: 'minutes' as const };
  return {
    name: schedule.name,
    kind: schedule.target.kind,
    agentId: schedule.target.agentId ?? '',
    workflowId: schedule.target.workflowId ?? '',
    input: JSON.stringify(schedule.target.input ?? {}, null, 2),
    timing: schedule.cron ? 'cron' : 'every',
    cron: schedule.cron ?? '',
    timezone: schedule.timezone,
    everyCount: every.count,
    everyUnit: every.unit,
    startAt: toLocalInput(schedule.startAt),
    endAt: toLocalInput(schedule.endAt),
    overlap: schedule.overlap,
  };
}

/** Whether the dialog's form holds input that saving would send and closing would lose. */
export function formChanged(initial: ScheduleForm, form: ScheduleForm): boolean {
  return (Object.keys(initial) as (keyof ScheduleForm)[]).some((key) => initial[key] !== form[key]);
}

export type FormField = 'name' | 'target' | 'input' | 'cron' | 'every' | 'timezone' | 'startAt' | 'endAt' | 'overlap';

export type FormErrors = FieldErrors<FormField>;

/** The field a JSON pointer of the request body names, and the rest of the pointer inside it. */
export function fieldOfPointer(pointer: string | undefined): { field: FormField; rest: string } | null {
  if (!pointer) return null;
  const parts = pointer.split('/').slice(1);
  const rest = (from: number) => (parts.length > from ? `/${parts.slice(from).join('/')}` : '');
  switch (parts[0]) {
    case 'name':
    case 'cron':
    case 'timezone':
    case 'startAt':
    case 'endAt':
    case 'overlap':
      return { field: parts[0], rest: rest(1) };
    case 'everyMs':
      return { field: 'every', rest: rest(1) };
    case 'target':
      if (parts[1] === 'input') return { field: 'input', rest: rest(2) };
      return { field: 'target', rest: '' };
    default:
      return null;
  }
}

/** A pointer inside the input as the field it names: `/variables/x` → `variables.x` (`~1`, `~0` unescaped). */
function inputFieldName(rest: string): string {
  return rest
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/**
 * The server's `details` on the form's fields. An input error names the field inside the input it is about
 * (`expression: Enter a value`), in the plain words the schema forms use for the same check, not a JSON pointer.
 */
export function formErrorsFromDetails(details: readonly { field?: string; message: string }[]): FormErrors {
  return detailsOnFields(
    details.map((d) => (fieldOfPointer(d.field)?.field === 'input' ? { ...d, message: plainMessage(d.message) } : d)),
    (pointer) => {
      const found = fieldOfPointer(pointer);
      return found?.field === 'input' ? { field: 'input', rest: inputFieldName(found.rest) } : found;
    },
  );
}

/** What the form can tell before it is sent (the server checks the rest: cron syntax, zone, the input). */
export function checkForm(form: ScheduleForm, input: { ok: boolean; message?: string }): FormErrors {
  const fields: FormErrors['fields'] = {};
  if (!form.name.trim()) fields.name = 'Give the schedule a name';
  else if (form.name.trim().length > 100) fields.name = 'At most 100 characters';
  if (form.kind === 'agent' && !form.agentId) fields.target = 'Choose an agent';
  if (form.kind === 'workflow' && !form.workflowId) fields.target = 'Choose a workflow';
  if (!input.ok) fields.input = input.message ?? 'Not valid JSON';
  if (form.timing === 'cron' && !form.cron.trim()) fields.cron = 'Give a cron pattern, e.g. 0 9 * * 1-5';
  if (form.timing === 'every') {
    const count = Number(form.everyCount);
    if (!Number.isFinite(count) || count <= 0) fields.every = 'A positive number';
    else if (everyMsOf(form) < 1000) fields.every = 'At least 1 second';
  }
  const start = fromLocalInput(form.startAt);
  const end = fromLocalInput(form.endAt);
  if (start && end && end <= start) fields.endAt = 'Must be after the start';
  return { fields, other: [] };
}

export function everyMsOf(form: Pick<ScheduleForm, 'everyCount' | 'everyUnit'>): number {
  const unit = EVERY_UNITS.find((u) => u.value === form.everyUnit) ?? EVERY_UNITS[0];
  return Math.round(Number(form.everyCount) * unit.ms);
}

/** The create body: a new schedule leaves out what is not set. */
export function createBody(form: ScheduleForm, input: unknown): CreateScheduleBody {
  const startAt = fromLocalInput(form.startAt);
  const endAt = fromLocalInput(form.endAt);
  return {
    name: form.name.trim(),
    target:
      form.kind === 'agent'
        ? { agentId: form.agentId, input: input as CreateScheduleBody['target']['input'] }
        : { workflowId: form.workflowId, input: input as CreateScheduleBody['target']['input'] },
    ...(form.timing === 'cron' ? { cron: form.cron.trim() } : { everyMs: everyMsOf(form) }),
    timezone: form.timezone,
    ...(startAt ? { startAt } : {}),
    ...(endAt ? { endAt } : {}),
    overlap: form.overlap,
  };
}

/** The update body: every field, `cron` or `everyMs` replacing the other, an emptied window bound cleared. */
export function updateBody(form: ScheduleForm, input: unknown): UpdateScheduleBody {
  const { startAt, endAt, ...rest } = createBody(form, input);
  return { ...rest, startAt: startAt ?? null, endAt: endAt ?? null } as UpdateScheduleBody;
}

/** The fires still ahead at `now` (a list fetched earlier may hold some that have passed). */
export function upcomingFires(fires: readonly string[], now: number): string[] {
  return fires.filter((fire) => Date.parse(fire) > now);
}

const fireFormats = new Map<string, Intl.DateTimeFormat>();

/** A fire time as the schedule's time zone has it: "Mon, 7 Dec 2026, 09:00 (Europe/Paris)". */
export function fireTime(iso: string, timeZone: string): string {
  let format = fireFormats.get(timeZone);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    };
    try {
      format = new Intl.DateTimeFormat('en-GB', { ...options, timeZone });
    } catch {
      // A zone this browser does not know: UTC, and said so.
      return fireTime(iso, 'UTC').replace('(UTC)', `(UTC; ${timeZone} is unknown to this browser)`);
    }
    fireFormats.set(timeZone, format);
  }
  return `${format.format(new Date(iso))} (${timeZone})`;
}

/** Where the task or run a schedule's last fire started is shown, or null when there is none. */
export function lastTargetPath(schedule: Pick<Schedule, 'target' | 'lastTargetId'>): string | null {
  if (!schedule.lastTargetId) return null;
  if (schedule.target.kind === 'workflow' && schedule.target.workflowId) {
    return `/workflows/${schedule.target.workflowId}/runs/${schedule.lastTargetId}`;
  }
  return `/tasks/${schedule.lastTargetId}`;
}

/** The IANA zones the browser knows, with UTC and the given zones (the browser's, a schedule's) among them. */
export function timeZones(...include: string[]): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', ...include.filter(Boolean), ...known])].sort((a, b) =>
    a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b),
  );
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export interface ScheduleListParams {
  page: number;
}

export function listParamsFromSearch(search: URLSearchParams): ScheduleListParams {
  return { page: pageOfSearch(search) };
}

export function listApiQuery({ page }: ScheduleListParams, size = SCHEDULES_PAGE_SIZE) {
  return pageQuery(page, size);
}
