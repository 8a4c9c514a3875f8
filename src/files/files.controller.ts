import { Controller, Delete, Get, HttpCode, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { IdParam } from '../common/http/ids';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, RequestAuditContext } from '../audit/audit.decorator';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../common/errors/error-code';
import { Page } from '../common/http/envelope';
import { PageQueryDto } from '../common/http/page-query.dto';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { FileDto, UploadFileQueryDto } from './dto/file.dto';
import { FilesService } from './files.service';
import { uploadBody } from './upload-body';

@ApiTags('files')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiErrors(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED)
@Controller('files')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Post()
  @RequirePermissions('files:write')
  @AuditAction('file.create', 'file')
  @ApiOperation({
    operationId: 'uploadFile',
    summary: 'Upload a file of records, streamed (up to FILE_MAX_BYTES): NDJSON, or a JSON array of objects',
    description:
      'The raw body is the file: `application/x-ndjson` (one JSON object per line) or `application/json` (an ' +
      'array of objects). It is checked record by record as it arrives and stored as NDJSON, never held whole; ' +
      'a data-processor task reads it with `{"file": "<id>"}` in its input.',
  })
  @ApiConsumes('application/x-ndjson', 'application/json')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiEnvelope(FileDto, { status: 201 })
  @ApiErrors(
    ErrorCode.VALIDATION_FAILED,
    ErrorCode.PAYLOAD_TOO_LARGE,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    ErrorCode.BAD_REQUEST,
  )
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Query() query: UploadFileQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<FileDto> {
    const length = req.headers['content-length'];
    const file = await this.files.upload(
      principal,
      {
        body: uploadBody(req, res),
        contentType: req.headers['content-type'],
        contentEncoding: req.headers['content-encoding'],
        length: length === undefined ? undefined : Number(length),
        name: query.name,
      },
      audit,
    );
    return FileDto.from(file);
  }

  @Get()
  @RequirePermissions('files:read')
  @ApiOperation({ operationId: 'listFiles', summary: 'Your files, newest first (admins: everyone’s)' })
  @ApiEnvelope(FileDto, { list: true })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<Page<FileDto>> {
    const page = await this.files.list(principal, query.skip, query.limit);
    return new Page(page.items.map(FileDto.from), page.total, page.skip, page.limit);
  }

  @Get(':id')
  @RequirePermissions('files:read')
  @ApiOperation({ operationId: 'getFile', summary: 'A file’s metadata: size, records, SHA-256' })
  @ApiEnvelope(FileDto)
  @ApiErrors(ErrorCode.NOT_FOUND)
  async get(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<FileDto> {
    return FileDto.from(await this.files.get(principal, id));
  }

  @Get(':id/content')
  @RequirePermissions('files:read')
  @ApiOperation({ operationId: 'getFileContent', summary: 'A file’s content, streamed as NDJSON (no envelope)' })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'The records, one JSON object per line', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(ErrorCode.NOT_FOUND)
  async content(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<StreamableFile> {
    const { file, stream } = await this.files.content(principal, id);
    return new StreamableFile(stream, {
      type: 'application/x-ndjson',
      length: file.sizeBytes,
      disposition: `attachment; filename="${file.id}.ndjson"`,
    });
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('files:write')
  @AuditAction('file.delete', 'file')
  @ApiOperation({ operationId: 'deleteFile', summary: 'Delete a file (an attempt already reading it finishes)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(ErrorCode.NOT_FOUND)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<void> {
    await this.files.delete(principal, id, audit);
  }
}
