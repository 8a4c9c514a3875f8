import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { DATE_OR_DAY, IsBoundedDate, IsNotBefore } from '../../common/http/dto-decorators';
import { canonicalId, IsId, isIdInAnyCase } from '../../common/http/ids';
import { PageQueryDto } from '../../common/http/page-query.dto';

/** Ids are kept in lower case: one given in upper case finds its entries too (other values stay as given). */
const uuidsInLowerCase = ({ value }: { value: unknown }): unknown =>
  isIdInAnyCase(value) ? canonicalId(value) : value;

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A user or API key id' })
  @IsOptional()
  @IsId()
  actorId?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'auth.login' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  action?: string;

  @ApiPropertyOptional({
    maxItems: 10,
    items: { type: 'string', minLength: 1, maxLength: 100 },
    type: String,
    example: 'auth.refresh',
    description: 'Leaves out the entries of these actions: comma-separated (the parameter may be repeated), at most 10',
  })
  @IsOptional()
  // Comma-separated, the parameter given once or more (`?excludeAction=a,b&excludeAction=c`): every action named.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' || Array.isArray(value)
      ? [value]
          .flat()
          .flatMap((each: unknown) =>
            typeof each === 'string' ? each.split(',').map((action) => action.trim()) : [each],
          )
      : value,
  )
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  excludeAction?: string[];

  @ApiPropertyOptional({ minLength: 1, maxLength: 50, example: 'user' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  resourceType?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Transform(uuidsInLowerCase)
  resourceId?: string;

  @ApiPropertyOptional({ enum: ['success', 'failure', 'denied'] })
  @IsOptional()
  @IsIn(['success', 'failure', 'denied'])
  outcome?: 'success' | 'failure' | 'denied';

  @ApiPropertyOptional({ ...DATE_OR_DAY })
  @IsOptional()
  @IsBoundedDate()
  from?: Date;

  @ApiPropertyOptional({ ...DATE_OR_DAY })
  @IsOptional()
  @IsBoundedDate()
  @IsNotBefore('from')
  to?: Date;

  @ApiPropertyOptional({
    pattern: '^[1-9][0-9]{0,17}$',
    description:
      'Keyset paging: only entries before this chain position (`seq`). Pass the last `seq` of a page to get the ' +
      'next one at the cost of the first, however deep (skip reads past every entry it skips).',
  })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,17}$/, { message: 'beforeSeq must be a chain position (a positive integer)' })
  beforeSeq?: string;
}
