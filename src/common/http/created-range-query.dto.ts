import { ApiPropertyOptional } from '@nestjs/swagger';
import { DATE_OR_DAY, IsBoundedDate, IsNotBefore, IsOptionalNotNull } from './dto-decorators';
import { PageQueryDto } from './page-query.dto';

/** A page of a list that can be narrowed to what was created in a time range (both ends included). */
export class CreatedRangeQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ ...DATE_OR_DAY })
  @IsOptionalNotNull()
  @IsBoundedDate()
  createdAfter?: Date;

  @ApiPropertyOptional({ ...DATE_OR_DAY })
  @IsOptionalNotNull()
  @IsBoundedDate()
  @IsNotBefore('createdAfter')
  createdBefore?: Date;
}
