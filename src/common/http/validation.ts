import { type ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import type { ConstraintMetadata } from 'class-validator/types/metadata/ConstraintMetadata';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { ErrorDetail, ValidationFailedError } from '../errors/app.error';
import { type DtoClass, detachFreeForm, isFreeFormOf, isInheritedName, isPlainObject } from './dto-decorators';
import { escapePointer } from './input-guard';
import { foldDottedQuery, isMetadataFilterOf, metadataFilterKeysProblem } from './metadata-filter';

/** The checks of what a value is (its type), which come first: a number sent for a text is not "too short". */
const TYPE_CHECKS: ReadonlySet<string> = new Set([
  'isDefined',
  'isString',
  'isNumber',
  'isInt',
  'isBoolean',
  'isDate',
  'isArray',
  'isObject',
]);

/** The order a field's failing checks are named in: its type, then other `is…` checks, then bounds and patterns. */
function checkRank(name: string): number {
  if (TYPE_CHECKS.has(name)) return 0;
  return name.startsWith('is') ? 1 : 2;
}

/** One detail per failing field, each named by its JSON pointer (`/config/precision`). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const pointer = `${parent}/${escapePointer(error.property)}`;
    // What a value is comes before what it may be: `limit=abc` "must be an integer", not "must not be greater".
    const constraints = Object.entries(error.constraints ?? {}).sort(([a], [b]) => checkRank(a) - checkRank(b));
    // A required field left out fails its type check ("must be an e-mail address"): say what is wrong with it.
    // (Nest's pipe clears `value` of an error with children: such a field was sent, its parts are wrong.)
    if (error.value === undefined && !error.children?.length && constraints[0]?.[0].startsWith('is')) {
      return [{ field: pointer, message: 'is required' }];
    }
    // "must be longer than or equal to 1 characters" of an empty text says less than this.
    if (error.value === '' && constraints.some(([name]) => name === 'isLength' || name === 'minLength')) {
      return [{ field: pointer, message: 'must not be empty' }];
    }
    const own = constraints.map(([name, message]) => ({
      name,
      field: pointer,
      message: withoutProperty(
        message
          .replace(/^property (.+) should not exist$/s, 'is not allowed')
          .replace(/^(each value in )?nested property \S+ must be either object or array$/, 'must be an object'),
        error.property,
      ),
    }));
    const first = own.slice(0, 1).map(({ field, message }) => ({ field, message }));
    const mine = (own.length > 0 && elementProblems(error, pointer, own)) || first;
    return [...mine, ...flattenValidationErrors(error.children ?? [], pointer)];
  });
}

/**
 * The elements of an array that fail the rules applied to each (`@IsString({ each: true })`), each named by its
 * own pointer (`/tags/1`) with its first failing rule: class-validator names only the array. Undefined when the
 * field's first failing rule is not one for each, or when that cannot be told (no target object, not an array, a
 * rule that answers asynchronously).
 */
function elementProblems(
  error: ValidationError,
  pointer: string,
  own: { name: string; message: string }[],
): ErrorDetail[] | undefined {
  const { target, value, property } = error;
  if (!target || !Array.isArray(value)) return undefined;
  const storage = getMetadataStorage();
  const checksOf = (name: string) =>
    storage
      .getTargetValidationMetadatas(target.constructor, '', true, false)
      .filter((rule) => rule.propertyName === property && rule.each)
      .flatMap((rule) =>
        storage
          .getTargetValidatorConstraints(rule.constraintCls)
          .filter((constraint) => constraint.name === name)
          .map((constraint) => ({ rule, constraint })),
      );
  if (checksOf(own[0].name).length === 0) return undefined;
  const rules = own.map(({ name, message }) => ({ name, message, checks: checksOf(name) }));
  const problems: ErrorDetail[] = [];
  let more = 0;
  for (const [index, element] of value.entries()) {
    const broken = firstBroken(rules, element, { targetName: target.constructor.name, property, object: target });
    if (broken === undefined) return undefined;
    if (!broken) continue;
    if (problems.length === MAX_ELEMENT_DETAILS) more += 1;
    else {
      const empty = element === '' && (broken.name === 'isLength' || broken.name === 'minLength');
      // "each value must be a string", "each tag must match …": said of the one element.
      const message = empty ? 'must not be empty' : broken.message.replace(/^each \S+ /, '');
      problems.push({ field: `${pointer}/${index}`, message });
    }
  }
  if (problems.length === 0) return undefined;
  // An array of thousands of wrong elements gets a bounded answer.
  if (more > 0) problems.push({ field: pointer, message: `and ${more} more elements like these` });
  return problems;
}

/** Elements named one by one at most; the rest are counted. */
const MAX_ELEMENT_DETAILS = 20;

interface EachRule {
  name: string;
  message: string;
  checks: { rule: ValidationMetadata; constraint: ConstraintMetadata }[];
}

/** The first rule `element` breaks, false when it breaks none, undefined when a rule answers asynchronously. */
function firstBroken(
  rules: EachRule[],
  element: unknown,
  args: { targetName: string; property: string; object: object },
): EachRule | false | undefined {
  for (const rule of rules) {
    for (const { rule: meta, constraint } of rule.checks) {
      const valid = constraint.instance.validate(element, { ...args, value: element, constraints: meta.constraints });
      if (typeof valid !== 'boolean') return undefined;
      if (!valid) return rule;
    }
  }
  return false;
}

/** A class-validator message without the property's name, which the detail's `field` already gives. */
function withoutProperty(message: string, property: string): string {
  if (message.startsWith(`${property} `)) return message.slice(property.length + 1);
  return message.replace(`each value in ${property} `, 'each value ');
}

/** The class of a property's nested DTO (`@Type(() => X)`), by class and property, looked up once each. */
const nestedTypes = new Map<unknown, Map<string, unknown>>();

function nestedType(cls: object, key: string): unknown {
  let byKey = nestedTypes.get(cls);
  if (!byKey) nestedTypes.set(cls, (byKey = new Map()));
  if (!byKey.has(key)) {
    const meta = defaultMetadataStorage.findTypeMetadata(cls as never, key);
    byKey.set(key, meta?.typeFunction ? (meta.typeFunction() as unknown) : undefined);
  }
  return byKey.get(key);
}

/** Properties an object a class describes, or any object walked with it, may have (no class declares 50). */
const MAX_DTO_KEYS = 200;
/** Elements an array a class describes may have when the class sets no bound of its own. */
const MAX_DTO_ARRAY = 10_000;

/** Each class's `@ArrayMaxSize` bounds, by property, looked up once. */
const arrayBounds = new WeakMap<object, ReadonlyMap<string, number>>();

function arrayBoundsOf(cls: object): ReadonlyMap<string, number> {
  let bounds = arrayBounds.get(cls);
  if (!bounds) {
    const rules = getMetadataStorage().getTargetValidationMetadatas(cls as never, '', true, false);
    bounds = new Map(
      rules
        .filter((rule) => rule.name === 'arrayMaxSize' && typeof rule.constraints?.[0] === 'number')
        .map((rule) => [rule.propertyName, rule.constraints[0] as number]),
    );
    arrayBounds.set(cls, bounds);
  }
  return bounds;
}

/**
 * One walk of a body or query through the classes that describe it, before any rule runs. It returns the first
 * part too big to be worth checking rule by rule, and stops there: an object with more than MAX_DTO_KEYS
 * properties (the body, a nested DTO, a plain object in one such as a metadata filter), or an array longer than
 * its `@ArrayMaxSize` (else MAX_DTO_ARRAY). Class-transformer and class-validator spend time growing with the
 * square of such sizes (a megabyte of them cost seconds, the event loop blocked meanwhile), so they are refused
 * first, and at once. Otherwise it adds to `named` the keys that are refused by name: keys named like what every
 * object inherits (`__proto__`, `constructor`, …), at the top and in each nested DTO (`/filter/__proto__`,
 * `/steps/0/constructor`), which class-transformer skips so the whitelist never sees them; and a metadata
 * filter's unusable keys. Free-form JSON (an input, a config) is not a DTO, and is left to its own rules.
 */
function screen(
  cls: unknown,
  value: unknown,
  named: ErrorDetail[],
  pointer = '',
  bound = MAX_DTO_ARRAY,
): ErrorDetail | undefined {
  if (Array.isArray(value)) {
    if (value.length > bound) return { field: pointer, message: `must contain no more than ${bound} elements` };
    if (pointer === '') return undefined;
    for (const [i, element] of value.entries()) {
      const found = screen(cls, element, named, `${pointer}/${i}`);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length > MAX_DTO_KEYS) {
    return { field: pointer, message: `has ${keys.length} properties: this request takes at most ${MAX_DTO_KEYS}` };
  }
  const known = typeof cls === 'function' ? (cls as DtoClass) : undefined;
  for (const key of keys) {
    const field = `${pointer}/${escapePointer(key)}`;
    let nested: unknown;
    if (known && isInheritedName(key)) named.push({ field, message: 'is not allowed' });
    else if (known && isMetadataFilterOf(known, key)) {
      const message = metadataFilterKeysProblem(value[key]);
      if (message) named.push({ field, message });
    } else if (known) {
      if (isFreeFormOf(known, key)) continue;
      nested = nestedType(known, key);
    }
    // Names are refused only where a class describes the object; sizes wherever the classes lead.
    const found = screen(nested, value[key], nested ? named : [], field, known && arrayBoundsOf(known).get(key));
    if (found) return found;
  }
  return undefined;
}

/** Each query class's properties that take one value (not a list), looked up once. */
const singleValued = new WeakMap<object, ReadonlySet<string>>();

/**
 * A query's keys given more than once (`?limit=10&limit=20`, which Express reads as a list) where the route
 * takes one value: said so, rather than "must be an integer number" of a value the caller never wrote.
 */
function repeatedQueryProblems(cls: DtoClass, query: unknown): ErrorDetail[] {
  if (!isPlainObject(query)) return [];
  let one = singleValued.get(cls);
  if (!one) {
    const rules = getMetadataStorage().getTargetValidationMetadatas(cls as never, '', true, false);
    const many = new Set(
      rules.filter((r) => r.each || r.name === 'isArray' || r.name?.startsWith('array')).map((r) => r.propertyName),
    );
    one = new Set(rules.map((r) => r.propertyName).filter((name) => !many.has(name)));
    singleValued.set(cls, one);
  }
  return Object.entries(query)
    .filter(([key, value]) => Array.isArray(value) && one.has(key))
    .map(([key]) => ({ field: `/${escapePointer(key)}`, message: 'is given more than once: give it once' }));
}

/**
 * Nest's pipe, which hands free-form JSON properties (`@FreeFormJson`) over untouched instead of letting
 * class-transformer copy them value by value, and which looks up a body class's rules for its binary-value check on every request (class-validator
 * filters its whole metadata storage each time): rules are fixed once the classes are loaded, so here each
 * class's are looked up once.
 */
class AppValidationPipe extends ValidationPipe {
  private readonly rulesByClass = new Map<unknown, unknown[]>();

  protected override findNestedBinaryValues(
    object: unknown,
    metadataCache: Map<unknown, unknown[]> = this.rulesByClass,
  ): ValidationError[] {
    return super.findNestedBinaryValues(object, metadataCache);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' && metadata.metatype) value = foldDottedQuery(metadata.metatype, value) ?? value;
    // A body or query (or an object of it a class describes) with thousands of keys where a class declares a few
    // dozen: refused before each unknown key is checked and named one by one (a megabyte of them cost seconds).
    const refused: ErrorDetail[] = [];
    if (metadata.metatype && this.toValidate(metadata)) {
      const wide = screen(metadata.metatype, value, refused);
      if (wide) throw new ValidationFailedError([wide]);
      if (metadata.type === 'query') refused.push(...repeatedQueryProblems(metadata.metatype, value));
    }
    try {
      const result = await this.transformChecked(value, metadata);
      if (refused.length > 0) throw new ValidationFailedError(refused);
      return result;
    } catch (err) {
      if (refused.length > 0 && err instanceof ValidationFailedError) {
        // The whitelist may name the same key again (one nested in a DTO's object), and a metadata filter
        // stripped of its refused keys may look empty: each field's refusal once, as sent.
        const named = new Set(refused.map((d) => d.field));
        const rest = (err.details ?? []).filter((d) => !named.has(d.field));
        throw new ValidationFailedError([...refused, ...rest]);
      }
      throw err;
    }
  }

  private async transformChecked(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const detached = metadata.metatype ? detachFreeForm(metadata.metatype, value) : undefined;
    if (!detached) return super.transform(value, metadata);
    const result: unknown = await super.transform(detached.copy, metadata);
    detached.reattach(result);
    return result;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    // The object an error was found in: what tells which of an array's elements broke a rule for each. Only the
    // details made from the errors are sent.
    validationError: { target: true, value: true },
    exceptionFactory: (errors) => new ValidationFailedError(flattenValidationErrors(errors)),
  });
}
