/** A setting that cannot be used; the message names the setting and is safe to print. */
export class InvalidConfigError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${setting} ${problem}`);
    this.name = 'InvalidConfigError';
  }
}
