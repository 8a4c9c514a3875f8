/**
 * The Files page's pure logic: sizes in words, what an upload is sent as and named, what a download is saved as,
 * and the API's refusals of an upload explained.
 */
import { ApiError, errorMessage } from '../../api/errors';
import type { components } from '../../api/schema';
import { withoutHidden } from '../../../../src/common/http/hidden-characters';

export type StoredFile = components['schemas']['FileDto'];
type Me = Pick<components['schemas']['MeDto'], 'role'>;

export const FILES_PAGE_SIZE = 20;

const grouped = new Intl.NumberFormat('en');
const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** A count with its thousands grouped: "1,234,567". */
export const groupedNumber = (n: number): string => grouped.format(n);

/**
 * A size as people read it, in the binary units `FILE_MAX_BYTES` is given in (`1gb` is 1,024³ bytes): "512
 * bytes", "1.5 KiB", "12 MiB", "1,000 KiB". One decimal below 10, none above; a value that rounds up to 1,024 is
 * said in the next unit.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) {
    const n = Number.isFinite(bytes) ? Math.max(0, Math.round(bytes)) : 0;
    return `${grouped.format(n)} ${n === 1 ? 'byte' : 'bytes'}`;
  }
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const decimals = value < 9.95 ? 1 : 0;
  if (Number(value.toFixed(decimals)) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
    return `${value.toFixed(1)} ${UNITS[unit]}`;
  }
  const shown = new Intl.NumberFormat('en', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return `${shown.format(value)} ${UNITS[unit]}`;
}

/** The exact size, for the hover text beside {@link formatBytes}: "1,258,291 bytes". */
export function exactBytes(bytes: number): string {
  return `${grouped.format(bytes)} ${bytes === 1 ? 'byte' : 'bytes'}`;
}

const NDJSON = 'application/x-ndjson';

/** What the file picker offers: the extensions and types the console knows how to send. */
export const PICKER_ACCEPT = '.ndjson,.jsonl,.json,application/x-ndjson,application/json';

/**
 * The Content-Type an upload is sent as. Browsers give `.ndjson` and `.jsonl` files no type (or a made-up one),
 * so the extension decides first; a type of its own the API takes comes next; anything else goes as the type
 * the browser gave, for the API to refuse in its own words (415).
 */
export function uploadContentType(file: { name: string; type: string }): string {
  const name = file.name.toLowerCase();
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl') || name.endsWith('.ldjson')) return NDJSON;
  if (name.endsWith('.json')) return 'application/json';
  const type = file.type.toLowerCase();
  return type || 'application/octet-stream';
}

const MAX_NAME = 200;

/**
 * The `?name=` an upload is known by: the picked file's own name without the characters the API refuses in a
 * name (bidirectional controls, invisible ones: the user never typed them), at most 200 characters (whole
 * characters, an emoji never cut in two); none when it is blank, for the API's default (`upload-<id>.ndjson`).
 */
export function uploadName(fileName: string): string | undefined {
  const name = withoutHidden(fileName).trim();
  if (!name) return undefined;
  const chars = Array.from(name);
  return chars.length > MAX_NAME ? chars.slice(0, MAX_NAME).join('').trimEnd() : name;
}

/**
 * What a download is saved as: the file's name, ending in `.ndjson`, since the content is served as NDJSON
 * whatever it was uploaded as (a JSON array is stored one element per line).
 */
export function downloadName(file: Pick<StoredFile, 'name' | 'id'>): string {
  const name = file.name.trim() || file.id;
  if (/\.(ndjson|jsonl)$/i.test(name)) return name;
  return `${name.replace(/\.json$/i, '')}.ndjson`;
}

/** The record a content refusal names (`/<index>`, from 0) counted as people count, from 1; null for none. */
export function recordOfPointer(pointer: string | undefined): number | null {
  const match = /^\/(\d+)$/.exec(pointer ?? '');
  return match ? Number(match[1]) + 1 : null;
}

/**
 * What to do about an upload the API refused, beyond its own message: which record is wrong, how to send a
 * file it takes, or how to make room. Empty when the message says it all.
 */
export function uploadRefusalHints(error: Pick<ApiError, 'code' | 'details' | 'status'>, sentAs?: string): string[] {
  if (error.code === 'VALIDATION_FAILED') {
    const hints = error.details.map((d) => {
      const record = recordOfPointer(d.field);
      if (record !== null)
        return `Record ${groupedNumber(record)} (counted from 1, blank lines not counted): ${d.message}`;
      return d.field && d.field !== '/' ? `${d.field}: ${d.message}` : d.message;
    });
    return hints.filter((hint, i) => hints.indexOf(hint) === i);
  }
  if (error.code === 'UNSUPPORTED_MEDIA_TYPE') {
    return [
      `${sentAs ? `It was sent as ${sentAs}: the` : 'The'} console sends .ndjson and .jsonl files as NDJSON and .json files as JSON; rename the file if it holds records, and send it uncompressed.`,
    ];
  }
  if (error.status === 413) {
    return ['Split the file into smaller ones, or delete files you no longer need when your quota is full.'];
  }
  return [];
}

/**
 * A failed download or deletion in one sentence that keeps the API's code and request id, to search the logs
 * with (a dialog's or a row's error line has no room for an error box).
 */
export function failureText(error: unknown, fallback: string): string {
  if (!(error instanceof ApiError)) return errorMessage(error, fallback);
  return `${error.message} (${error.code}${error.requestId ? `, request ${error.requestId}` : ''})`;
}

/** A long id as its first eight characters, for a narrow column (the whole id is copied, and on hover). */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/**
 * An empty list's title: an admin's list holds every file, so none means none exist; anyone else's holds only
 * their own uploads and their tasks' outputs.
 */
export function noFilesTitle(me: Me): string {
  return me.role === 'admin' ? 'No files yet' : 'No files that you can see yet';
}

/** Said to anyone but an admin: whose files they are shown. */
export function ownFilesNote(me: Me): string | null {
  return me.role === 'admin'
    ? null
    : 'You see the files you uploaded and what your tasks wrote from them; admins see every file.';
}
