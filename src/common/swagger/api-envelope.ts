import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorCode, ERROR_STATUS } from '../errors/error-code';

export class ResponseMetaDto {
  @ApiProperty({ format: 'date-time' })
  timestamp!: string;

  @ApiProperty()
  requestId!: string;
}

export class PageMetaDto extends ResponseMetaDto {
  @ApiProperty({ minimum: 0 })
  total!: number;

  @ApiProperty({ minimum: 0 })
  skip!: number;

  @ApiProperty({ minimum: 1, maximum: 1000 })
  limit!: number;
}

export class ErrorDetailDto {
  @ApiProperty({ description: 'JSON pointer into the request body, or a query parameter name', example: '/name' })
  field!: string;

  @ApiProperty({ example: 'must be a string' })
  message!: string;
}

export class ErrorBodyDto {
  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode' })
  code!: ErrorCode;

  @ApiProperty()
  message!: string;

  @ApiPropertyOptional({ type: [ErrorDetailDto] })
  details?: ErrorDetailDto[];
}

export class ErrorEnvelopeDto {
  @ApiProperty({ enum: ['error'] })
  status!: 'error';

  @ApiProperty({ type: ErrorBodyDto })
  error!: ErrorBodyDto;

  @ApiProperty({ type: ResponseMetaDto })
  meta!: ResponseMetaDto;
}

interface EnvelopeOptions {
  status?: number;
  description?: string;
  /** `list`: data is an array and meta carries total, skip and limit. */
  list?: boolean;
}

/** Documents a success response wrapped in the envelope (`data` of the given model). */
export function ApiEnvelope(model: Type<unknown> | null, options: EnvelopeOptions = {}): MethodDecorator {
  const item = model ? { $ref: getSchemaPath(model) } : { type: 'object', nullable: true };
  const data = options.list ? { type: 'array', items: item } : item;
  return applyDecorators(
    ApiExtraModels(ResponseMetaDto, PageMetaDto, ...(model ? [model] : [])),
    ApiResponse({
      status: options.status ?? 200,
      description: options.description ?? 'Success',
      schema: {
        type: 'object',
        required: ['status', 'data', 'meta'],
        properties: {
          status: { type: 'string', enum: ['success'] },
          data,
          meta: { $ref: getSchemaPath(options.list ? PageMetaDto : ResponseMetaDto) },
        },
      },
    }),
  );
}

const ERROR_DESCRIPTIONS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.VALIDATION_FAILED]: 'The body or query is invalid; `details` lists each field',
  [ErrorCode.UNAUTHENTICATED]: 'Missing, expired or invalid credentials',
  [ErrorCode.FORBIDDEN]: 'Authenticated but lacking the permission',
  [ErrorCode.NOT_FOUND]: 'No such resource (or not yours)',
  [ErrorCode.CONFLICT]: 'Conflicts with the current state',
  [ErrorCode.RATE_LIMITED]: 'Rate limit exceeded; see Retry-After',
};

/** Documents the error responses a route can give, each in the error envelope. */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto),
    ...[...byStatus].map(([status, list]) =>
      ApiResponse({
        status,
        description: list.map((c) => `${c}: ${ERROR_DESCRIPTIONS[c] ?? c}`).join('; '),
        schema: { $ref: getSchemaPath(ErrorEnvelopeDto) },
      }),
    ),
  );
}
