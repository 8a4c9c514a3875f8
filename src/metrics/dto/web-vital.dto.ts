import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsString, IsUrl, Matches, Max, MaxLength, Min } from 'class-validator';
import { DATE_OR_DAY, IsBoundedDate, IsOptionalNotNull } from '../../common/http/dto-decorators';
import { WEB_VITAL_NAMES, type WebVitalName } from '../entities/web-vital.entity';

const ID = /^[A-Za-z0-9._:-]{1,100}$/;

export class WebVitalDto {
  @ApiProperty({ enum: WEB_VITAL_NAMES })
  @IsIn(WEB_VITAL_NAMES)
  name!: WebVitalName;

  @ApiProperty({ minimum: 0, maximum: 3_600_000, description: 'Milliseconds (CLS: unitless score)' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(3_600_000)
  value!: number;

  @ApiProperty({
    description: 'The metric instance id from the web-vitals library',
    maxLength: 100,
    pattern: ID.source,
  })
  @Matches(ID, { message: 'must be 1-100 characters of letters, digits, . _ : -' })
  id!: string;

  @ApiPropertyOptional({ enum: ['good', 'needs-improvement', 'poor'] })
  @IsOptionalNotNull()
  @IsIn(['good', 'needs-improvement', 'poor'])
  rating?: string;

  @ApiPropertyOptional({ maxLength: 100, pattern: ID.source })
  @IsOptionalNotNull()
  @Matches(ID, { message: 'must be 1-100 characters of letters, digits, . _ : -' })
  sessionId?: string;

  @ApiPropertyOptional({ maxLength: 2048 })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(2048)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url?: string;

  @ApiPropertyOptional({ ...DATE_OR_DAY })
  @IsOptionalNotNull()
  @IsBoundedDate()
  timestamp?: Date;
}

export class WebVitalAcceptedDto {
  @ApiProperty({ enum: [true] }) accepted!: true;
}
