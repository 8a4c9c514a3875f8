import { plainToInstance, Type } from 'class-transformer';
import { IsIn, IsInt, Max, Min, ValidateNested, validate } from 'class-validator';
import { flattenValidationErrors } from './validation';

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

async function details(plain: Record<string, unknown>) {
  return flattenValidationErrors(await validate(plainToInstance(Query, plain)));
}

describe('flattenValidationErrors', () => {
  it('names what a value must be before its bounds, and each field once', async () => {
    const found = await details({ limit: Number.NaN, statuses: ['queued'], inner: { count: 1 } });
    expect(found).toEqual([{ field: '/limit', message: 'must be an integer number' }]);
  });

  it('keeps the rest of a message whose field is an array of values, and points into nested objects', async () => {
    const found = await details({ limit: 5, statuses: ['queued', 'nope'], inner: { count: 'x' } });
    expect(found).toEqual([
      { field: '/statuses', message: 'each value must be one of the following values: queued, running' },
      { field: '/inner/count', message: 'must be an integer number' },
    ]);
  });

  it('still gives a bound when the value is of the right kind', async () => {
    const found = await details({ limit: 5000, statuses: [], inner: { count: 1 } });
    expect(found).toEqual([{ field: '/limit', message: 'must not be greater than 1000' }]);
  });
});
