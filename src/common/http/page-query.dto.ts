import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE_LIMIT = 1000;
/** Deeper than this, narrow the list with its filters instead: an offset is read past row by row. */
export const MAX_PAGE_SKIP = 1_000_000;

/**
 * A query value of decimal digits as the integer it writes; anything else (`1e3`, `0x10`, `1.0`, an empty value)
 * stays text, which the integer check refuses.
 */
const decimal = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d{1,15}$/.test(value) && !/^-0+$/.test(value) ? Number(value) : value;

/** `?skip=0&limit=50`; lists are newest first. Extend it for a list's own filters. */
export class PageQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_PAGE_SKIP,
    default: 0,
    description: 'Items to skip',
  })
  @IsOptional()
  @Transform(decimal)
  @IsInt()
  @Min(0)
  @Max(MAX_PAGE_SKIP)
  skip: number = 0;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_LIMIT,
    default: 50,
    description: 'Items per page',
  })
  @IsOptional()
  @Transform(decimal)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit: number = 50;
}
