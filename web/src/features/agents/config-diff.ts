/**
 * What differs between two versions of an agent's config, as rows to show: where (a JSON pointer), how (added,
 * removed, changed) and the values before and after as short JSON. Secrets come masked from the API and are
 * compared as the masked text they are.
 */
import diff, { type Difference } from 'microdiff';
import { SECRET_MASK } from './csp-validator';

export type ChangeKind = 'added' | 'removed' | 'changed';

/** A value as JSON text: `short` on one line, cut to a length with "…" when `cut`; `full` indented, whole. */
export interface ValueText {
  short: string;
  full: string;
  cut: boolean;
}

export interface ConfigChange {
  /** RFC 6901 JSON pointer of the value, e.g. `/retries/max`; `""` is the whole config. */
  path: string;
  kind: ChangeKind;
  /** The value in the older version; null when it was added. */
  before: ValueText | null;
  /** The value in the newer version; null when it was removed. */
  after: ValueText | null;
}

/** How long a value's one-line text may be before it is cut (the full text stays available). */
export const SHORT_VALUE_LENGTH = 60;

const KINDS: Record<Difference['type'], ChangeKind> = { CREATE: 'added', REMOVE: 'removed', CHANGE: 'changed' };

/** A JSON pointer (RFC 6901) from a path of keys and indexes: `~` becomes `~0` and `/` becomes `~1`. */
export function jsonPointer(path: readonly (string | number)[]): string {
  return path.map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** A value as compact JSON, cut to `max` characters (whole characters, never half of an emoji). */
export function summarise(value: unknown, max = SHORT_VALUE_LENGTH): ValueText {
  const compact = toJson(value, undefined);
  const chars = Array.from(compact);
  const cut = chars.length > max;
  return {
    short: cut ? `${chars.slice(0, Math.max(1, max - 1)).join('')}…` : compact,
    full: toJson(value, 2),
    cut,
  };
}

/** microdiff's differences as rows, in its order (each level's changed and removed keys, then the added ones). */
export function toChanges(differences: readonly Difference[], max = SHORT_VALUE_LENGTH): ConfigChange[] {
  return differences.map((d) => ({
    path: jsonPointer(d.path),
    kind: KINDS[d.type],
    before: d.type === 'CREATE' ? null : summarise(d.oldValue, max),
    after: d.type === 'REMOVE' ? null : summarise(d.value, max),
  }));
}

/**
 * What changed from `before` to `after` (two configs as the API returns them); empty when they are equal. Two
 * documents that are not both objects or both arrays differ as a whole (path `""`).
 */
export function configChanges(before: unknown, after: unknown, max = SHORT_VALUE_LENGTH): ConfigChange[] {
  if (shape(before) !== shape(after) || shape(before) === 'other') {
    return Object.is(before, after) || toJson(before, undefined) === toJson(after, undefined)
      ? []
      : [{ path: '', kind: 'changed', before: summarise(before, max), after: summarise(after, max) }];
  }
  return toChanges(
    diff(detached(before) as Record<string, unknown>, detached(after) as Record<string, unknown>, {
      cyclesFix: false,
    }),
    max,
  );
}

/**
 * Whether a config holds a masked secret anywhere: a secret changed between two versions is masked in both, so
 * the comparison cannot show it, and says so.
 */
export function holdsMaskedSecret(value: unknown): boolean {
  if (value === SECRET_MASK) return true;
  if (Array.isArray(value)) return value.some(holdsMaskedSecret);
  return value !== null && typeof value === 'object' && Object.values(value).some(holdsMaskedSecret);
}

function shape(value: unknown): 'array' | 'object' | 'other' {
  if (Array.isArray(value)) return 'array';
  return value !== null && typeof value === 'object' ? 'object' : 'other';
}

function toJson(value: unknown, indent: number | undefined): string {
  // JSON.stringify gives undefined for undefined (and functions): no config holds one, but say so rather than fail.
  return JSON.stringify(value, null, indent) ?? String(value);
}

/**
 * A deep copy whose objects have no prototype: microdiff asks `key in object`, which an inherited name would
 * answer (a key named "constructor" or "toString" that was removed would not be seen as removed).
 */
function detached(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(detached);
  if (value === null || typeof value !== 'object') return value;
  const copy = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) {
    // defineProperty: a key "__proto__" (JSON.parse makes it an own key) stays an ordinary key.
    Object.defineProperty(copy, key, { value: detached(item), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}
