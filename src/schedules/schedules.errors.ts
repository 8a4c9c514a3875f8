import { ForbiddenError } from '../common/errors/app.error';

/** Why a schedule is paused when a fire finds its target reading a file that the key it acts with may not read. */
export const KEY_READS_NO_FILES =
  'Its target reads a file, and the API key that created or last changed it does not hold files:read';

/**
 * A fire of a schedule last set with an API key that lacks `files:read`, whose target reads a stored file now (its
 * workflow's steps were changed since): refused, as starting the target with that key would be.
 */
export class ScheduleKeyReadsNoFilesError extends ForbiddenError {
  constructor() {
    super(`${KEY_READS_NO_FILES}: the fire is refused`);
  }
}
