import {
  applyDecorators,
  type ArgumentMetadata,
  Injectable,
  Param,
  ParseUUIDPipe,
  type PipeTransform,
} from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { AppError } from '../errors/app.error';
import { ErrorCode } from '../errors/error-code';
import { Transform } from 'class-transformer';
import { isUUID, IsUUID } from 'class-validator';

/**
 * Ids are UUIDs, spelt one way: in lower case, as PostgreSQL writes them. An id given in upper case names the same
 * row, but caches, live-event rooms and stored definitions compare ids as text; so every id that comes in is
 * lower-cased where it enters (a path, a query, a body, a live subscription).
 */
export const canonicalId = (id: string): string => id.toLowerCase();

const ID_IN_ANY_CASE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STORED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a client's `value` is an id, in either case (to be used as {@link canonicalId} of it). */
export const isIdInAnyCase = (value: unknown): value is string =>
  typeof value === 'string' && ID_IN_ANY_CASE.test(value);

/** Whether `value` is an id as the platform writes it (lower case): for keys and cursors it wrote itself. */
export const isStoredId = (value: unknown): value is string => typeof value === 'string' && STORED_ID.test(value);

/** `value` as an id when it is one (in lower case), else null: for text a client sent that is recorded, not used. */
export function idOrNull(value: unknown): string | null {
  return typeof value === 'string' && isUUID(value) ? canonicalId(value) : null;
}

/** A UUID path parameter, in lower case; anything else 400 `BAD_REQUEST`, its detail naming `path`. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, Promise<string>> {
  private readonly uuid = new ParseUUIDPipe();

  async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    const id = await this.uuid.transform(value, metadata).catch(() => {
      throw new AppError(ErrorCode.BAD_REQUEST, 'Validation failed (uuid is expected)', [
        { field: 'path', message: `${metadata.data ?? 'id'} must be a UUID` },
      ]);
    });
    return typeof id === 'string' ? canonicalId(id) : value;
  }
}

/**
 * A UUID path parameter (`@Param(name, ParseIdPipe)`), declared in the OpenAPI document as `format: uuid` so that
 * a generated client knows what the server accepts.
 */
export function IdParam(name = 'id'): ParameterDecorator {
  return (target, key, index) => {
    Param(name, ParseIdPipe)(target, key, index);
    const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
    if (key !== undefined && descriptor) ApiParam({ name, type: String, format: 'uuid' })(target, key, descriptor);
  };
}

/** A UUID field of a body or query (validated as IsUUID), in lower case. */
export function IsId(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? canonicalId(value) : value)),
    IsUUID(),
  );
}
