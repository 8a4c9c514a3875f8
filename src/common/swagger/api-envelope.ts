import { applyDecorators, Type } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
  type ApiResponseOptions,
  type OpenAPIObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { ErrorCode, ERROR_STATUS } from '../errors/error-code';

/** A JSON object whose keys are not fixed (a config, metadata, a JSON Schema): `Record<string, unknown>` in clients. */
export const JSON_OBJECT_SCHEMA: SchemaObject = { type: 'object', additionalProperties: true };

/** Any JSON value (an agent type's input or output may be any of them): a union of the JSON types in clients. */
const JSON_VALUE_TYPES: SchemaObject[] = [
  JSON_OBJECT_SCHEMA,
  { type: 'array', items: {} },
  { type: 'string' },
  { type: 'number' },
  { type: 'boolean' },
];

interface JsonPropertyOptions {
  description?: string;
  nullable?: boolean;
  required?: boolean;
}

/**
 * A property holding any JSON value (object, array, string, number or boolean; null too when `nullable`).
 * Without it the type `unknown` is documented as `{type: object}` without properties, an object that can
 * hold nothing.
 */
export function ApiJsonProperty(options: JsonPropertyOptions = {}): PropertyDecorator {
  return ApiProperty({ ...options, anyOf: JSON_VALUE_TYPES });
}

/** {@link ApiJsonProperty}, not required. */
export function ApiJsonPropertyOptional(options: Omit<JsonPropertyOptions, 'required'> = {}): PropertyDecorator {
  return ApiJsonProperty({ ...options, required: false });
}

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

/** The meta of a list whose `total` is counted up to a bound (see `BoundedPageMeta`). */
export class BoundedPageMetaDto extends PageMetaDto {
  @ApiProperty({
    description:
      'True when the count stopped at its bound: more items match than `total` says (`total` is a lower bound).',
  })
  totalCapped!: boolean;

  @ApiProperty({ description: 'Items follow this page' })
  hasMore!: boolean;
}

export class ErrorDetailDto {
  @ApiProperty({
    description:
      'JSON pointer into the request body or the query (`/limit`); `path` for the path; a header by its name',
    example: '/name',
  })
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
  /** `list`: a page; data is an array and meta carries total, skip and limit. */
  list?: boolean;
  /** With `list`: a bounded total (meta adds totalCapped and hasMore). */
  bounded?: boolean;
  /** `array`: data is an array of the model (every item, no paging); meta is the plain one. */
  array?: boolean;
}

function pageMeta(options: EnvelopeOptions): Type<unknown> {
  if (!options.list) return ResponseMetaDto;
  return options.bounded ? BoundedPageMetaDto : PageMetaDto;
}

/**
 * Documents a success response wrapped in the envelope: `data` is the model (a DTO class, one of several
 * classes depending on the caller, or a schema such as {@link JSON_OBJECT_SCHEMA}), an array of it (`array`),
 * or a page of it (`list`).
 */
export function ApiEnvelope(
  model: Type<unknown> | readonly Type<unknown>[] | SchemaObject,
  options: EnvelopeOptions = {},
): MethodDecorator {
  const classes = Array.isArray(model) ? model : typeof model === 'function' ? [model] : [];
  const refs = classes.map((c): ReferenceObject => ({ $ref: getSchemaPath(c) }));
  const item: SchemaObject | ReferenceObject = refs.length > 1 ? { oneOf: refs } : (refs[0] ?? (model as SchemaObject));
  const data: SchemaObject | ReferenceObject = options.list || options.array ? { type: 'array', items: item } : item;
  return applyDecorators(
    ApiExtraModels(ResponseMetaDto, PageMetaDto, BoundedPageMetaDto, ...classes),
    ApiResponse({
      status: options.status ?? 200,
      description: options.description ?? 'Success',
      schema: {
        type: 'object',
        required: ['status', 'data', 'meta'],
        properties: {
          status: { type: 'string', enum: ['success'] },
          data,
          meta: { $ref: getSchemaPath(pageMeta(options)) },
        },
      },
    }),
  );
}

const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  [ErrorCode.VALIDATION_FAILED]: 'The body or query is invalid; `details` lists each field',
  [ErrorCode.BAD_REQUEST]: 'The request cannot be read (malformed JSON, a bad URL)',
  [ErrorCode.UNAUTHENTICATED]: 'Missing, expired or invalid credentials',
  [ErrorCode.MFA_REQUIRED]: 'MFA is enabled: a valid, unused TOTP code or recovery code is required',
  [ErrorCode.FORBIDDEN]: 'Authenticated but lacking the permission',
  [ErrorCode.NOT_FOUND]: 'No such resource (or not yours)',
  [ErrorCode.CONFLICT]: 'Conflicts with the current state',
  [ErrorCode.INVALID_STATE]: 'Not possible in the resource’s current state',
  [ErrorCode.IDEMPOTENCY_CONFLICT]: 'The Idempotency-Key was used with a different body',
  [ErrorCode.PAYLOAD_TOO_LARGE]: 'The body is over the limit',
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 'The body is not JSON',
  [ErrorCode.RATE_LIMITED]: 'Rate limit exceeded; see Retry-After',
  [ErrorCode.INTERNAL]: 'An unexpected error; nothing of the internals is shown',
  [ErrorCode.SERVICE_UNAVAILABLE]: 'A dependency (Redis, PostgreSQL) cannot be reached; see Retry-After',
  [ErrorCode.TIMEOUT]: 'The request took too long to answer; what it started may still complete',
};

/** What an error of each code looks like, for the documented examples. */
const ERROR_EXAMPLES: Record<ErrorCode, Pick<ErrorBodyDto, 'message' | 'details'>> = {
  [ErrorCode.VALIDATION_FAILED]: {
    message: 'The request is invalid',
    details: [{ field: '/name', message: 'must be a string' }],
  },
  [ErrorCode.BAD_REQUEST]: { message: 'The body is not valid JSON' },
  [ErrorCode.UNAUTHENTICATED]: { message: 'Authentication required' },
  [ErrorCode.MFA_REQUIRED]: { message: 'A valid MFA code is required' },
  [ErrorCode.FORBIDDEN]: { message: 'You do not have permission to do this' },
  [ErrorCode.NOT_FOUND]: { message: 'Task not found' },
  [ErrorCode.CONFLICT]: { message: 'An agent with this name already exists' },
  [ErrorCode.INVALID_STATE]: { message: 'The task has already finished' },
  [ErrorCode.IDEMPOTENCY_CONFLICT]: { message: 'This Idempotency-Key was used with a different body' },
  [ErrorCode.PAYLOAD_TOO_LARGE]: { message: 'The body is larger than 1 MB' },
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: { message: 'Request bodies must be application/json, in UTF-8' },
  [ErrorCode.RATE_LIMITED]: { message: 'Too many requests; slow down' },
  [ErrorCode.INTERNAL]: { message: 'Internal error' },
  [ErrorCode.SERVICE_UNAVAILABLE]: { message: 'The service is unavailable; retry later' },
  [ErrorCode.TIMEOUT]: {
    message: 'The request took too long to answer; what it started may still complete',
  },
};

/** The error envelope a response of this code carries, as documented. */
export function errorExample(code: ErrorCode): ErrorEnvelopeDto {
  return {
    status: 'error',
    error: { code, ...ERROR_EXAMPLES[code] },
    meta: { timestamp: '2026-01-01T00:00:00.000Z', requestId: '8f14e45f-ceea-467f-a0e6-0b5e3a2b7c1d' },
  };
}

/**
 * Documents the error responses a route can give, each in the error envelope with one example per code
 * (a status several codes share, such as 409 CONFLICT and INVALID_STATE, shows each).
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  }
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto),
    ...[...byStatus].map(([status, list]) => ApiResponse({ status, ...errorResponse(list) } as ApiResponseOptions)),
  );
}

/** One example of an error response, per code. */
function errorCase(code: ErrorCode): { summary: string; value: ErrorEnvelopeDto } {
  return { summary: `${code}: ${ERROR_DESCRIPTIONS[code]}`, value: errorExample(code) };
}

/** The codes whose answers say when to try again (docs/api.md, Errors). */
const RETRY_AFTER_CODES: readonly ErrorCode[] = [ErrorCode.RATE_LIMITED, ErrorCode.SERVICE_UNAVAILABLE];
const RETRY_AFTER_HEADER = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 0 } },
};

/** An error response of `codes` (one status): JSON whatever the route produces on success (streams too). */
function errorResponse(codes: ErrorCode[]): ResponseObject {
  return {
    description: codes.map((c) => `${c}: ${ERROR_DESCRIPTIONS[c]}`).join('; '),
    ...(codes.some((c) => RETRY_AFTER_CODES.includes(c)) ? { headers: RETRY_AFTER_HEADER } : {}),
    content: {
      'application/json': {
        schema: { $ref: getSchemaPath(ErrorEnvelopeDto) },
        examples: Object.fromEntries(codes.map((c) => [c, errorCase(c)])),
      },
    },
  };
}

/** What any operation may answer besides what it documents itself (docs/api.md, Errors and Input rules). */
const ANY_OPERATION = [
  ErrorCode.BAD_REQUEST,
  ErrorCode.VALIDATION_FAILED,
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.TIMEOUT,
];
/**
 * What any request that sends a body may be answered besides, whichever operation it names: a body is read (and
 * refused when it is too large or not JSON) before the route is known.
 */
const ANY_BODY = [ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.UNSUPPORTED_MEDIA_TYPE];

/**
 * Adds to every operation of `document` the errors any of them may give: 400 `BAD_REQUEST` (a malformed URL, a
 * path id that is not a UUID), 503 `SERVICE_UNAVAILABLE` (PostgreSQL or Redis away), 504 `TIMEOUT`, and 413 and
 * 415 (a body sent, even to an operation that takes none, that is too large or not JSON). A status the operation already documents gets the code as one more example.
 */
export function withCommonErrors(document: OpenAPIObject): OpenAPIObject {
  // Each once, under components.responses, referred to by name (`ServiceUnavailable`).
  const named = (code: ErrorCode): string =>
    code
      .toLowerCase()
      .split('_')
      .map((word) => word[0].toUpperCase() + word.slice(1))
      .join('');
  document.components ??= {};
  document.components.responses ??= {};
  // The codes of one status together (400: BAD_REQUEST or VALIDATION_FAILED), named after them.
  const byStatus = new Map<string, ErrorCode[]>();
  for (const code of [...ANY_OPERATION, ...ANY_BODY]) {
    const status = String(ERROR_STATUS[code]);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const codes of byStatus.values())
    document.components.responses[codes.map(named).join('Or')] = errorResponse(codes);
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const codes = [...ANY_OPERATION, ...ANY_BODY];
      for (const [status, all] of byStatus) {
        const own = all.filter((code) => codes.includes(code));
        if (!own.length) continue;
        const listed = operation.responses[status] as ResponseObject | undefined;
        if (!listed) {
          operation.responses[status] = { $ref: `#/components/responses/${all.map(named).join('Or')}` };
          continue;
        }
        const examples = listed.content?.['application/json']?.examples;
        for (const code of own) {
          if (!examples || examples[code]) continue;
          examples[code] = errorCase(code);
          listed.description += `; ${code}: ${ERROR_DESCRIPTIONS[code]}`;
          if (RETRY_AFTER_CODES.includes(code)) listed.headers = { ...listed.headers, ...RETRY_AFTER_HEADER };
        }
      }
    }
  }
  return document;
}
