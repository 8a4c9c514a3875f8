import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoundedDate, IsNotBefore, IsOptionalNotNull } from './dto-decorators';
import { PageQueryDto } from './page-query.dto';

/** A page of a list that can be narrowed to what was created in a time range (both ends included). */
export class CreatedRangeQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptionalNotNull()
  @IsBoundedDate()
  createdAfter?: Date;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptionalNotNull()
  @IsBoundedDate()
  @IsNotBefore('createdAfter')
  createdBefore?: Date;
}
