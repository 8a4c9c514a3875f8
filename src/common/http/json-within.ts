import { ValidateBy } from 'class-validator';

/** Size bounds by DTO prototype and property. */
const BOUNDS = new WeakMap<object, Map<string, number>>();

/**
 * What validation sees of a free-form value over its bound. Free-form values are validated through an empty
 * stand-in (see `FreeFormJson`), so their size is measured once, on the value as sent, when the stand-in is made.
 */
class OverJsonBound {}

function byteSize(value: unknown): number {
  // A body that was parsed from JSON always serializes again.
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * A JSON value of at most `maxBytes` as UTF-8 JSON text. For values every list shows whole (a task's metadata,
 * an agent's config), so that one list page stays a size the API can send without holding up the others.
 */
export function IsJsonWithin(maxBytes: number): PropertyDecorator {
  const rule = ValidateBy({
    name: 'isJsonWithin',
    constraints: [maxBytes],
    validator: {
      validate: (value: unknown) =>
        !(value instanceof OverJsonBound) && (value === undefined || byteSize(value) <= maxBytes),
      defaultMessage: () => `$property must be at most ${Math.round(maxBytes / 1024)} KiB as JSON`,
    },
  });
  return (target, key) => {
    const own = BOUNDS.get(target) ?? new Map<string, number>();
    own.set(String(key), maxBytes);
    BOUNDS.set(target, own);
    rule(target, key);
  };
}

/**
 * The stand-in that validation of `cls`'s free-form `key` sees in place of `value`: `standIn` unless the
 * property has a bound ({@link IsJsonWithin}) and `value` is over it.
 */
export function boundedStandIn(
  cls: abstract new (...args: never[]) => object,
  key: string,
  value: unknown,
  standIn: unknown,
): unknown {
  for (let proto: object | null = cls.prototype as object; proto && proto !== Object.prototype;) {
    const bound = BOUNDS.get(proto)?.get(key);
    if (bound !== undefined) return byteSize(value) > bound ? new OverJsonBound() : standIn;
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return standIn;
}
