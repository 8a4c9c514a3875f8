import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsBoundedDate, IsNotBefore } from './dto-decorators';
import { PageQueryDto } from './page-query.dto';

/** A page of a list that can be narrowed to what was created in a time range (both ends included). */
export class CreatedRangeQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsBoundedDate()
  createdAfter?: Date;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsBoundedDate()
  @IsNotBefore('createdAfter')
  createdBefore?: Date;
}
