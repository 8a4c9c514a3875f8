import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { IsDisplayText } from '../../common/http/display-text';
import { FILE_FORMATS, type FileFormat } from '../entities/file.entity';
import type { StoredFile } from '../persistence/file.repository';

export class UploadFileQueryDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 200,
    description: 'A name to know it by (default `upload-<id>.ndjson`)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @IsDisplayText()
  name?: string;
}

export class FileDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: FILE_FORMATS, description: 'How it is stored and served: one JSON object per line' })
  format!: FileFormat;
  @ApiProperty({
    example: 'application/json',
    description: 'The kind of body it was uploaded as: `application/x-ndjson` (any NDJSON type) or `application/json`',
  })
  uploadedAs!: string;
  @ApiProperty({ description: 'Bytes as stored' }) sizeBytes!: number;
  @ApiProperty({ description: 'Records (lines) it holds' }) records!: number;
  @ApiProperty({ description: 'SHA-256 (hex) of the bytes as stored' }) sha256!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The task that wrote it; null: uploaded' })
  taskId!: string | null;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;

  static from(f: StoredFile): FileDto {
    return {
      id: f.id,
      name: f.name,
      format: f.format,
      uploadedAs: f.uploadedAs,
      sizeBytes: f.sizeBytes,
      records: f.records,
      sha256: f.sha256,
      taskId: f.taskId,
      createdBy: f.createdBy,
      createdAt: f.createdAt,
    };
  }
}
