import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import { IsArray, IsDate, IsDefined, MaxDate, MinDate, ValidateIf, ValidateNested } from 'class-validator';

type DtoClass = abstract new (...args: never[]) => object;

/** Dates the API takes: ISO 8601 years 0001-9999, all of which Postgres and JSON can hold. */
export const EARLIEST_DATE = new Date('0001-01-01T00:00:00.000Z');
export const LATEST_DATE = new Date('9999-12-31T23:59:59.999Z');

function isPlainObject(value: unknown): value is Record<string, unknown> {
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

/** A date (ISO 8601 in JSON and query strings) between {@link EARLIEST_DATE} and {@link LATEST_DATE}. */
export function IsBoundedDate(): PropertyDecorator {
  return applyDecorators(
    Type(() => Date),
    IsDate(),
    MinDate(EARLIEST_DATE, { message: '$property must not be before year 0001' }),
    MaxDate(LATEST_DATE, { message: '$property must not be after year 9999' }),
  );
}

/** Free-form JSON properties by class: kept as parsed, never walked by class-transformer. */
const FREE_FORM = new WeakMap<object, Set<string>>();
/** Arrays of nested DTOs by class, for finding free-form properties inside them. */
const NESTED_EACH = new WeakMap<object, Map<string, () => DtoClass>>();

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
  const record: PropertyDecorator = (target, key) => {
    const own = NESTED_EACH.get(target) ?? new Map<string, () => DtoClass>();
    own.set(String(key), type);
    NESTED_EACH.set(target, own);
  };
  return applyDecorators(
    record,
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

/** Takes the free-form values of `cls` out of `plain` (at any nesting of {@link ValidateNestedEach}). */
export function detachFreeForm(cls: DtoClass, plain: unknown): DetachedBody | undefined {
  if (!isPlainObject(plain)) return undefined;
  const freeForm = lookup(FREE_FORM, cls).flatMap((keys) => [...keys]);
  const nested = lookup(NESTED_EACH, cls).flatMap((map) => [...map]);
  if (freeForm.length === 0 && nested.length === 0) return undefined;
  const copy: Record<string, unknown> = { ...plain };
  const steps: ((instance: Record<string, unknown>) => void)[] = [];
  for (const key of freeForm) {
    if (!Object.hasOwn(plain, key)) continue;
    const original = plain[key];
    copy[key] = standIn(original);
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
  return {
    copy,
    reattach: (instance) => {
      if (isPlainObject(instance)) for (const step of steps) step(instance);
    },
  };
}
