import { applyDecorators } from '@nestjs/common';
import { IsString, MaxLength, MinLength, ValidateBy } from 'class-validator';

/** The fewest different characters a new password may be made of. */
export const PASSWORD_MIN_DISTINCT = 5;

export const PASSWORD_RULE = `12–128 characters, at least ${PASSWORD_MIN_DISTINCT} of them different`;

/**
 * A password being set (registration, a user made by an admin, a reset): 12 to 128 characters, of which at least
 * {@link PASSWORD_MIN_DISTINCT} differ, so that twelve spaces or `aaaaaaaaaaaa` are not taken.
 */
export function IsNewPassword(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MinLength(12),
    MaxLength(128),
    ValidateBy({
      name: 'isNewPassword',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && new Set(value).size >= PASSWORD_MIN_DISTINCT,
        defaultMessage: () => `$property must use at least ${PASSWORD_MIN_DISTINCT} different characters`,
      },
    }),
  );
}
