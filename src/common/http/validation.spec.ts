import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
  validate,
} from 'class-validator';
import { ValidationFailedError } from '../errors/app.error';
import { createValidationPipe, flattenValidationErrors } from './validation';

class Inner {
  @IsInt()
  count!: number;
}

class Query {
  @IsInt()
  @Min(1)
  @Max(1000)
  limit!: number;

  @IsIn(['queued', 'running'], { each: true })
  statuses!: string[];

  @ValidateNested()
  @Type(() => Inner)
  inner!: Inner;
}

class Named {
  @IsString()
  @Length(1, 100)
  name!: string;
}

class Tagged {
  @IsString({ each: true })
  @Matches(/^[a-z]+$/, { each: true })
  tags!: unknown[];
}

class Bounded {
  @ArrayMaxSize(5)
  @ArrayUnique()
  @IsString({ each: true })
  tags!: string[];
}

class Body {
  @IsInt()
  limit!: number;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => Inner)
  items!: Inner[];
}

/** The details of the app's own pipe (Nest's, which clears `value` of an error with children) for a body. */
async function refusedBody(plain: unknown) {
  try {
    await createValidationPipe().transform(plain, { type: 'body', metatype: Body });
    return [];
  } catch (err) {
    if (!(err instanceof ValidationFailedError)) throw err;
    return err.details;
  }
}

async function details(plain: Record<string, unknown>) {
  return flattenValidationErrors(await validate(plainToInstance(Query, plain)));
}

describe('flattenValidationErrors', () => {
  it('names what a value must be before its bounds, and each field once', async () => {
    const found = await details({ limit: Number.NaN, statuses: ['queued'], inner: { count: 1 } });
    expect(found).toEqual([{ field: '/limit', message: 'must be an integer number' }]);
  });

  it('names the element of an array that breaks a rule for each, and points into nested objects', async () => {
    const found = await details({ limit: 5, statuses: ['queued', 'nope'], inner: { count: 'x' } });
    expect(found).toEqual([
      { field: '/statuses/1', message: 'must be one of the following values: queued, running' },
      { field: '/inner/count', message: 'must be an integer number' },
    ]);
  });

  it('still gives a bound when the value is of the right kind', async () => {
    const found = await details({ limit: 5000, statuses: [], inner: { count: 1 } });
    expect(found).toEqual([{ field: '/limit', message: 'must not be greater than 1000' }]);
  });

  it('says a field left out "is required", and not a field sent whose parts are wrong', async () => {
    expect(await refusedBody({ items: [] })).toEqual([{ field: '/limit', message: 'is required' }]);
    expect(await refusedBody({ limit: 1, items: { count: 'x' } })).toEqual([
      { field: '/items', message: 'must be an array' },
      { field: '/items/count', message: 'must be an integer number' },
    ]);
    expect(await refusedBody({ limit: 1, items: [{}] })).toEqual([{ field: '/items/0/count', message: 'is required' }]);
  });

  it('refuses a body of thousands of keys at once, and names at most 100 problems of any request', async () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    expect(await refusedBody({ limit: 1, items: [], ...keys(30_000) })).toEqual([
      { field: '', message: 'has 30002 properties: this request takes at most 200' },
    ]);
    // In an object a class describes too (an element of `items`), named by its pointer.
    expect(await refusedBody({ limit: 1, items: [{ count: 1 }, { count: 1, ...keys(500) }] })).toEqual([
      { field: '/items/1', message: 'has 501 properties: this request takes at most 200' },
    ]);
    // An array past its bound: refused before each element is checked.
    const bounded = await createValidationPipe()
      .transform({ tags: Array.from({ length: 100_000 }, (_, i) => `t${i}`) }, { type: 'body', metatype: Bounded })
      .catch((err: ValidationFailedError) => err.details);
    expect(bounded).toEqual([{ field: '/tags', message: 'must contain no more than 5 elements' }]);
    const unknown = await refusedBody({ limit: 1, items: [], ...keys(150) });
    expect(unknown).toHaveLength(101);
    expect(unknown?.[0]).toEqual({ field: '/k0', message: 'is not allowed' });
    expect(unknown?.[100]).toEqual({ field: '', message: 'and 50 more problems like these' });
  });

  it('names a wrong type before a length, whichever order the checks are declared in', async () => {
    class LengthFirst {
      @Length(1, 100)
      @IsString()
      name!: string;
    }
    for (const dto of [Named, LengthFirst]) {
      expect(await validate(plainToInstance(dto, { name: 5 })).then(flattenValidationErrors)).toEqual([
        { field: '/name', message: 'must be a string' },
      ]);
    }
  });

  it('says an empty string "must not be empty", and a long one its bound', async () => {
    const named = async (name: string) => flattenValidationErrors(await validate(plainToInstance(Named, { name })));
    expect(await named('')).toEqual([{ field: '/name', message: 'must not be empty' }]);
    expect(await named('x'.repeat(101))).toEqual([
      { field: '/name', message: 'must be shorter than or equal to 100 characters' },
    ]);
  });

  it('names every element that breaks a rule for each, with the first rule it breaks', async () => {
    const tagged = async (tags: unknown) => flattenValidationErrors(await validate(plainToInstance(Tagged, { tags })));
    expect(await tagged(['ok', 5, 'Not', 'fine'])).toEqual([
      { field: '/tags/1', message: 'must be a string' },
      { field: '/tags/2', message: 'must match /^[a-z]+$/ regular expression' },
    ]);
    // Thousands of wrong elements: the first twenty named, the rest counted.
    const many = await tagged(Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? 'ok' : i)));
    expect(many).toHaveLength(21);
    expect(many[0]).toEqual({ field: '/tags/1', message: 'must be a string' });
    expect(many[19]).toEqual({ field: '/tags/39', message: 'must be a string' });
    expect(many[20]).toEqual({ field: '/tags', message: 'and 2480 more elements like these' });
    // Not an array: the field itself, as class-validator says it.
    expect(await tagged(5)).toEqual([{ field: '/tags', message: 'each value must be a string' }]);
  });
});
