import { applyDecorators } from '@nestjs/common';
import type { SchemaObject } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDate,
  IsDefined,
  IsObject,
  isISO8601,
  isEmail,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  Matches,
  MaxDate,
  MinDate,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { boundedStandIn } from './json-within';

export type DtoClass = abstract new (...args: never[]) => object;

/** Dates the API takes: ISO 8601 years 0001-9999, all of which Postgres and JSON can hold. */
export const EARLIEST_DATE = new Date('0001-01-01T00:00:00.000Z');
export const LATEST_DATE = new Date('9999-12-31T23:59:59.999Z');

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * May be left out, but not sent as null: for fields that cannot be empty (`@IsOptional` lets null through
 * to the database's NOT NULL).
 */
export function IsOptionalNotNull(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((_object, value) => value !== undefined),
    IsDefined({ message: '$property must not be null' }),
  );
}

const ISO_DATE = { strictSeparator: true } as const;
const CALENDAR_DAY = /^(\d{4})-?(\d{2})-?(\d{2})(?:T|$)/;

/**
 * Whether an ISO 8601 text names a day that exists. validator's `strict` check builds its probe from the
 * unpadded year, which `Date` reads as 1901-1999 or 2000+ for years below 100, so it refuses 0001-0099;
 * a calendar day is checked here on a probe whose full year is set, other forms by validator.
 */
function namesExistingDay(text: string): boolean {
  const day = CALENDAR_DAY.exec(text);
  if (!day) return isISO8601(text, { ...ISO_DATE, strict: true });
  const [year, month, date] = day.slice(1).map(Number) as [number, number, number];
  const probe = new Date(0);
  probe.setUTCFullYear(year, month - 1, date);
  return probe.getUTCMonth() === month - 1 && probe.getUTCDate() === date;
}

/** A time of day ends with its offset from UTC: `Z`, `+05:30`, `-0800` or `+01`. */
const TIME_WITH_ZONE = /T.*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * The date a value as sent stands for: an ISO 8601 text naming a day that exists (`2030-02-30` does not),
 * with `T` between date and time and, when it has a time, the time's offset (a time without one would be read
 * in the server's own time zone); anything else (a number, `2030-02-30`, `2030-01-01T10:00`) is kept as it
 * came, for `IsDate` to refuse.
 */
function strictDate(value: unknown): unknown {
  return typeof value === 'string' &&
    isISO8601(value, ISO_DATE) &&
    namesExistingDay(value) &&
    (!value.includes('T') || TIME_WITH_ZONE.test(value))
    ? new Date(value)
    : value;
}

/**
 * The date a text stands for by the rules of {@link IsBoundedDate}; undefined for anything else. For dates
 * that are not a DTO's own field: a wait step's `until`, as written or as its template rendered.
 */
export function boundedDate(value: unknown): Date | undefined {
  const date = strictDate(value);
  return date instanceof Date && date >= EARLIEST_DATE && date <= LATEST_DATE ? date : undefined;
}

/** The OpenAPI property of a date {@link IsBoundedDate} takes: a date-time, or a day alone (its start in UTC). */
export const DATE_OR_DAY: { type: 'string'; anyOf: SchemaObject[] } = {
  type: 'string',
  anyOf: [{ format: 'date-time' }, { format: 'date' }],
};

/**
 * A date (ISO 8601 text in JSON and query strings, a day that exists) between {@link EARLIEST_DATE} and
 * {@link LATEST_DATE}.
 */
export function IsBoundedDate(): PropertyDecorator {
  return applyDecorators(
    Transform(({ obj, key }) => strictDate((obj as Record<string, unknown>)[key]), { toClassOnly: true }),
    IsDate({
      message:
        '$property must be an ISO 8601 date-time with its offset (Z or ±hh:mm), of a day that exists (2030-01-31T12:00:00Z)',
    }),
    MinDate(EARLIEST_DATE, { message: '$property must not be before year 0001' }),
    MaxDate(LATEST_DATE, { message: '$property must not be after year 9999' }),
  );
}

/** How two range ends compare: dates by time, chain positions (digit strings) by value; undefined otherwise. */
function compareEnds(a: unknown, b: unknown): number | undefined {
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  const digits = /^\d{1,30}$/;
  if (typeof a === 'string' && typeof b === 'string' && digits.test(a) && digits.test(b)) {
    const [x, y] = [BigInt(a), BigInt(b)];
    return x === y ? 0 : x < y ? -1 : 1;
  }
  return undefined;
}

/**
 * The upper end of a range whose lower end is `lower` (`createdBefore` of `createdAfter`): refused when it
 * comes first, which would leave a range holding nothing. Checked only when both ends are valid.
 */
export function IsNotBefore(lower: string): PropertyDecorator {
  return ValidateBy({
    name: 'isNotBefore',
    constraints: [lower],
    validator: {
      validate: (value: unknown, args) =>
        (compareEnds(value, (args?.object as Record<string, unknown>)[lower]) ?? 0) >= 0,
      defaultMessage: () => `$property must not be before ${lower}`,
    },
  });
}

/** Free-form JSON properties by class: kept as parsed, never walked by class-transformer. */
const FREE_FORM = new WeakMap<object, Set<string>>();
/** Arrays of nested DTOs by class, for finding free-form properties inside them. */
const NESTED_EACH = new WeakMap<object, Map<string, () => DtoClass>>();
/** Single nested DTOs by class, likewise. */
const NESTED_ONE = new WeakMap<object, Map<string, () => DtoClass>>();

function recordNested(registry: WeakMap<object, Map<string, () => DtoClass>>, type: () => DtoClass): PropertyDecorator {
  return (target, key) => {
    const own = registry.get(target) ?? new Map<string, () => DtoClass>();
    own.set(String(key), type);
    registry.set(target, own);
  };
}

/** An object of `type` (an array refused), validated as one; its free-form JSON ({@link FreeFormJson}) kept as sent. */
export function ValidateNestedOne(type: () => DtoClass): PropertyDecorator {
  const nested = Type(type as () => new () => object);
  return applyDecorators(recordNested(NESTED_ONE, type), IsObject(), ValidateNested(), nested);
}

/**
 * A property holding arbitrary JSON (a task's input, an agent's config): class-transformer would copy it
 * value by value (seconds for a few MB), so the validation pipe hands it over untouched. Its own rules
 * (`@IsDefined`, `@IsObject`) still apply.
 */
export function FreeFormJson(): PropertyDecorator {
  return (target, key) => {
    const own = FREE_FORM.get(target) ?? new Set<string>();
    own.add(String(key));
    FREE_FORM.set(target, own);
  };
}

/**
 * An array whose every element must be an object of `type`, validated as one: refuses elements that are
 * arrays, null or scalars (each named by its pointer, `/tasks/3`), where `@ValidateNested({each: true})`
 * alone would descend into an array nested in the array and let it through.
 */
export function ValidateNestedEach(type: () => DtoClass): PropertyDecorator {
  return applyDecorators(
    recordNested(NESTED_EACH, type),
    IsArray(),
    ValidateNested({ each: true }),
    Type(type as () => new () => object),
    // Class-validator reports a null element as "must be an object"; anything else not an object becomes null.
    Transform(
      ({ value, obj, key }) => {
        const original = (obj as Record<string, unknown>)[key];
        if (!Array.isArray(original) || !Array.isArray(value)) return value;
        return value.map((element: unknown, i) => (isPlainObject(original[i]) ? element : null));
      },
      { toClassOnly: true },
    ),
  );
}

function lookup<T>(registry: WeakMap<object, T>, cls: DtoClass): T[] {
  const found: T[] = [];
  for (let proto: object | null = cls.prototype as object; proto && proto !== Object.prototype;) {
    const own = registry.get(proto);
    if (own) found.push(own);
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return found;
}

/** Whether `key` of `cls` holds free-form JSON ({@link FreeFormJson}). */
export function isFreeFormOf(cls: DtoClass, key: string): boolean {
  return lookup(FREE_FORM, cls).some((keys) => keys.has(key));
}

export interface DetachedBody {
  /** The body with each free-form value replaced by an empty stand-in of the same kind. */
  copy: Record<string, unknown>;
  /** Puts the original free-form values back into the validated instance. */
  reattach(instance: unknown): void;
}

function standIn(value: unknown): unknown {
  if (Array.isArray(value)) return [];
  return isPlainObject(value) ? {} : value;
}

/**
 * Takes the free-form values of `cls` out of `plain` (at any nesting of {@link ValidateNestedEach} and
 * {@link ValidateNestedOne}).
 */
export function detachFreeForm(cls: DtoClass, plain: unknown): DetachedBody | undefined {
  if (!isPlainObject(plain)) return undefined;
  const freeForm = lookup(FREE_FORM, cls).flatMap((keys) => [...keys]);
  const nested = lookup(NESTED_EACH, cls).flatMap((map) => [...map]);
  const nestedOne = lookup(NESTED_ONE, cls).flatMap((map) => [...map]);
  if (freeForm.length === 0 && nested.length === 0 && nestedOne.length === 0) return undefined;
  const copy: Record<string, unknown> = { ...plain };
  const steps: ((instance: Record<string, unknown>) => void)[] = [];
  for (const key of freeForm) {
    if (!Object.hasOwn(plain, key)) continue;
    const original = plain[key];
    copy[key] = boundedStandIn(cls, key, original, standIn(original));
    steps.push((instance) => {
      if (Object.hasOwn(instance, key)) instance[key] = original;
    });
  }
  for (const [key, type] of nested) {
    const list = plain[key];
    if (!Array.isArray(list)) continue;
    const parts = list.map((element) => detachFreeForm(type(), element));
    copy[key] = list.map((element, i) => parts[i]?.copy ?? element);
    steps.push((instance) => {
      const out = instance[key];
      if (Array.isArray(out)) parts.forEach((part, i) => part?.reattach(out[i]));
    });
  }
  for (const [key, type] of nestedOne) {
    const part = Object.hasOwn(plain, key) ? detachFreeForm(type(), plain[key]) : undefined;
    if (!part) continue;
    copy[key] = part.copy;
    steps.push((instance) => part.reattach(instance[key]));
  }
  return {
    copy,
    reattach: (instance) => {
      if (isPlainObject(instance)) for (const step of steps) step(instance);
    },
  };
}

/**
 * A key no object can hold as its own plain property: a name every object inherits (`__proto__`,
 * `constructor`, `toString`, …) or `prototype`. Copying or assigning it changes the object's prototype or
 * is skipped, so a filter or body key with such a name would silently vanish.
 */
export function isInheritedName(key: string): boolean {
  return key === 'prototype' || Object.hasOwn(Object.prototype, key);
}

/** The most tags a task or schedule may carry, and what a tag is. */
export const MAX_TAGS = 20;
const TAG = /^[A-Za-z0-9][\w.:/-]*$/;
export const TAG_RULE = `Up to ${MAX_TAGS} tags of 1-64 letters, digits and _ . : / - (starting with a letter or digit), each once`;

/** The OpenAPI property of a list of tags, as {@link IsTags} checks it. */
export const TAGS_PROPERTY: { type: 'array'; items: SchemaObject; maxItems: number; uniqueItems: true } = {
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 64, pattern: TAG.source },
  maxItems: MAX_TAGS,
  uniqueItems: true,
};

/** A list of tags, each checked on its own (`/tags/2`). */
export function IsTags(): PropertyDecorator {
  return (target, key) => {
    IsArray()(target, key);
    ArrayMaxSize(MAX_TAGS)(target, key);
    ArrayUnique({ message: 'each tag may be given once' })(target, key);
    IsString({ each: true })(target, key);
    Length(1, 64, { each: true })(target, key);
    Matches(TAG, { each: true, message: `each tag must match ${TAG.source}` })(target, key);
  };
}

/** Printable ASCII, which an account's e-mail address is made of (see {@link IsAccountEmail}). */
/** Printable ASCII but `"`: a quoted local part (`"admin"@…`) names the same mailbox as the unquoted one. */
export const ACCOUNT_EMAIL_PATTERN = '^[!#-~]+$';
const QUOTED =
  'must not quote its local part: "name"@example.com is the same mailbox as name@example.com, so it could pass ' +
  'for another user';
const NOT_ASCII =
  'must be ASCII: letters of other scripts that look like Latin ones (Cyrillic а for a) are refused, so no ' +
  'address can pass for another; give an internationalised domain in its xn-- form';

/**
 * An account's e-mail address, at most 320 characters: ASCII alone, so that no address can look like another
 * user's (an internationalised domain is given in its punycode form, `xn--…`, as browsers show look-alikes).
 */
export function IsAccountEmail(): PropertyDecorator {
  return applyDecorators(
    ValidateBy({
      name: 'isAccountEmail',
      validator: {
        validate: (value) =>
          typeof value === 'string' &&
          new RegExp(ACCOUNT_EMAIL_PATTERN).test(value) &&
          isEmail(value, { allow_utf8_local_part: false }),
        defaultMessage: (args) =>
          typeof args?.value !== 'string'
            ? 'must be an e-mail address'
            : /[\u0080-\u{10ffff}]/u.test(args.value)
              ? NOT_ASCII
              : args.value.includes('"')
                ? QUOTED
                : 'must be an e-mail address',
      },
    }),
    MaxLength(320),
  );
}

/**
 * An optional boolean query parameter: `true` and `false` as a query sends them; anything else is refused by
 * the validator (400).
 */
export function IsQueryBoolean(): PropertyDecorator {
  const fromQuery = ({ value }: { value: unknown }): unknown =>
    value === 'true' ? true : value === 'false' ? false : value;
  return applyDecorators(IsOptional(), Transform(fromQuery), IsBoolean());
}
