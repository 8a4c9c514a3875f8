import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { getMetadataStorage, ValidateBy } from 'class-validator';
import { type DtoClass, isInheritedName, isPlainObject } from './dto-decorators';

const METADATA_FILTER = 'isMetadataFilter';
const FILTER_KEY = /^[\w-]{1,64}$/;
const MAX_FILTERS = 10;
/** Each class's metadata filter properties, looked up once. */
const FILTERS_BY_CLASS = new WeakMap<object, ReadonlySet<string>>();

/**
 * A class's metadata filter properties ({@link IsMetadataFilter}), from class-validator's rules, which mapped
 * types (a bulk filter, `OmitType` of a query DTO) copy, unlike the prototype.
 */
function metadataFiltersOf(cls: DtoClass): ReadonlySet<string> {
  let names = FILTERS_BY_CLASS.get(cls);
  if (!names) {
    const rules = getMetadataStorage().getTargetValidationMetadatas(cls as never, '', true, false);
    names = new Set(rules.filter((rule) => rule.name === METADATA_FILTER).map((rule) => rule.propertyName));
    FILTERS_BY_CLASS.set(cls, names);
  }
  return names;
}

/**
 * Whether `key` of `cls` is a metadata filter: its keys are checked as sent (see
 * {@link metadataFilterKeysProblem}), before Nest's pipe strips `__proto__`, `constructor` and `prototype`.
 */
export function isMetadataFilterOf(cls: DtoClass, key: string): boolean {
  return metadataFiltersOf(cls).has(key);
}

/** What is wrong with a metadata filter's keys as sent: one a name every object inherits. */
export function metadataFilterKeysProblem(value: unknown): string | undefined {
  const inherited = isPlainObject(value) ? Object.keys(value).filter(isInheritedName) : [];
  if (inherited.length > 0) return `must not use the key${inherited.length > 1 ? 's' : ''} ${inherited.join(', ')}`;
  return undefined;
}

function metadataFilterProblem(value: unknown): string | undefined {
  const keys = isPlainObject(value) ? Object.keys(value) : [];
  const inherited = metadataFilterKeysProblem(value);
  if (inherited) return inherited;
  if (isPlainObject(value) && keys.length === 0) return 'must name at least one key';
  const ok =
    isPlainObject(value) &&
    keys.length <= MAX_FILTERS &&
    Object.entries(value).every(([k, v]) => FILTER_KEY.test(k) && typeof v === 'string' && v.length <= 256);
  return ok
    ? undefined
    : `takes up to ${MAX_FILTERS} keys of letters, digits, _ and - (up to 64), each given once with one string value up to 256 characters (in a query: <name>.<key>=<value>; in a body: an object of strings)`;
}

/**
 * A query parameter family `metadata.<key>=<value>` (or `metadata[<key>]=<value>`), taken as one object `{key: value}` (see
 * {@link foldDottedQuery}), or the same object in a body: 1 to 10 keys of letters, digits, `_` and `-`, none a
 * name every object inherits (`__proto__`, `constructor`, …), each with one string value. The value is checked
 * as sent: class-transformer would drop such keys and leave an empty filter that matches everything.
 */
export function IsMetadataFilter(): PropertyDecorator {
  return applyDecorators(
    Transform(({ obj, key }) => (obj as Record<string, unknown>)[key], { toClassOnly: true }),
    ValidateBy({
      name: METADATA_FILTER,
      validator: {
        validate: (value: unknown) => metadataFilterProblem(value) === undefined,
        defaultMessage: (args) => metadataFilterProblem(args?.value) ?? 'is not a metadata filter',
      },
    }),
  );
}

/** Sets `key` as an own enumerable property, `__proto__` included. */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `<name>.<key>`, or `<name>[<key>]` as OpenAPI's `deepObject` style sends it. */
const MEMBER = /^([^.[\]]+)(?:\.(.*)|\[([^\]]*)\])$/s;

/**
 * The query with each `<name>.<key>` (or `<name>[<key>]`) parameter of a {@link IsMetadataFilter} property moved
 * into `<name>`.
 */
export function foldDottedQuery(cls: DtoClass, query: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(query)) return undefined;
  const names = metadataFiltersOf(cls);
  if (names.size === 0) return undefined;
  const folded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    const [, name, dotted, bracketed] = MEMBER.exec(key) ?? [];
    if (name === undefined || !names.has(name)) {
      defineOwn(folded, key, value);
      continue;
    }
    if (!Object.hasOwn(folded, name)) defineOwn(folded, name, {});
    const group = folded[name];
    const member = dotted ?? bracketed;
    // Given in both spellings, a key has two values: refused as any key given twice is.
    if (isPlainObject(group))
      defineOwn(group, member, Object.hasOwn(group, member) ? [group[member], value].flat() : value);
  }
  return folded;
}
