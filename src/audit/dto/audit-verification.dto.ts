import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, ValidateBy } from 'class-validator';
import { DATE_OR_DAY, IsBoundedDate, IsNotBefore } from '../../common/http/dto-decorators';

const SEQ = /^[1-9][0-9]{0,17}$/;

/** A time bound, refused beside a chain position: a range is one or the other. */
const NotWithSeq = (): PropertyDecorator =>
  ValidateBy({
    name: 'notWithSeq',
    validator: {
      validate: (_value, args) => {
        const query = args?.object as { fromSeq?: unknown; toSeq?: unknown };
        return query.fromSeq === undefined && query.toSeq === undefined;
      },
      defaultMessage: () => 'give a range by chain position (fromSeq, toSeq) or by time (from, to), not both',
    },
  });

/** `GET /audit-logs/verify`: the whole chain, or a range of it by chain position or by time. */
export class AuditVerifyQueryDto {
  @ApiPropertyOptional({ pattern: SEQ.source, description: 'First chain position (`seq`) to check' })
  @IsOptional()
  @Matches(SEQ, { message: 'fromSeq must be a chain position (a positive integer)' })
  fromSeq?: string;

  @ApiPropertyOptional({ pattern: SEQ.source, description: 'Last chain position to check' })
  @IsOptional()
  @Matches(SEQ, { message: 'toSeq must be a chain position (a positive integer)' })
  @IsNotBefore('fromSeq')
  toSeq?: string;

  @ApiPropertyOptional({ ...DATE_OR_DAY, description: 'From the first entry written at or after this time' })
  @IsOptional()
  @IsBoundedDate()
  @NotWithSeq()
  from?: Date;

  @ApiPropertyOptional({ ...DATE_OR_DAY, description: 'To the last entry written at or before this time' })
  @IsOptional()
  @IsBoundedDate()
  @IsNotBefore('from')
  @NotWithSeq()
  to?: Date;
}

export class VerificationAnchorDto {
  @ApiProperty({
    enum: ['genesis', 'checkpoint', 'entry'],
    description:
      'What the first entry checked must link to: the genesis hash, the latest signed checkpoint (the entries ' +
      'before it were archived; its signature was checked), or the stored hash of the entry before the range',
  })
  kind!: 'genesis' | 'checkpoint' | 'entry';

  @ApiProperty({ description: 'The chain position linked to (0 for the genesis)' })
  seq!: string;

  @ApiProperty()
  hash!: string;

  @ApiPropertyOptional({ description: 'The checkpoint’s archive file (kind checkpoint)' })
  archive?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the checkpoint was made (kind checkpoint)' })
  createdAt?: Date;
}

export class AuditVerificationDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ description: 'Entries checked' }) checked!: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'First entry whose hash or link does not hold' })
  firstBrokenId?: string;

  @ApiPropertyOptional({ description: 'Its chain position' })
  firstBrokenSeq?: string;

  @ApiPropertyOptional({
    enum: ['hash', 'link', 'checkpoint'],
    description:
      'hash: the entry was changed; link: an entry before it is missing or changed; checkpoint: the signature of the checkpoint the chain starts from does not hold',
  })
  reason?: 'hash' | 'link' | 'checkpoint';

  @ApiProperty({ nullable: true, type: String, description: 'First chain position checked' })
  fromSeq!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Last chain position checked' })
  toSeq!: string | null;

  @ApiProperty({ type: VerificationAnchorDto })
  anchor!: VerificationAnchorDto;

  @ApiProperty({
    description:
      'False when this pass stopped at its time budget (half of REQUEST_TIMEOUT_MS): ask again with ' +
      '`fromSeq=nextFromSeq` (and the same `toSeq`) to go on',
  })
  complete!: boolean;

  @ApiPropertyOptional({ description: 'Where to go on from when not complete' })
  nextFromSeq?: string;
}

export class AuditCheckpointDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'First archived chain position' }) firstSeq!: string;
  @ApiProperty({ description: 'Last archived chain position' }) lastSeq!: string;
  @ApiProperty({ description: 'The hash the archive’s first entry links to' }) prevHash!: string;
  @ApiProperty({ description: 'The hash of the last archived entry' }) lastHash!: string;
  @ApiProperty() entries!: number;
  @ApiProperty({ description: 'File name in AUDIT_ARCHIVE_DIR' }) archive!: string;
  @ApiProperty() archiveSha256!: string;
  @ApiProperty({ type: String }) archiveBytes!: string;
  @ApiProperty({ format: 'date-time', description: 'Entries written before this were due' }) cutoff!: Date;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ description: 'HMAC-SHA256 of the other fields' }) signature!: string;
}

export class ArchiveVerificationDto {
  @ApiProperty({ description: 'The checkpoint’s signature holds and its archive matches it' }) valid!: boolean;
  @ApiProperty() signatureValid!: boolean;
  @ApiProperty({ description: 'Archived entries checked' }) checked!: number;
  @ApiPropertyOptional({
    enum: ['missing', 'sha256', 'hash', 'link', 'count', 'end'],
    description:
      'missing: no such file; sha256: the file is not the one recorded; hash/link: an entry was changed or removed; count: not as many entries as recorded; end: the last entry is not the recorded lastHash',
  })
  reason?: string;
  @ApiPropertyOptional() firstBrokenSeq?: string;
}
