/**
 * Why a step's input could not be rendered. `TEMPLATE_ERROR` is an expression that does not parse or fails
 * (a wrong type, an unknown function); the others are the limits every evaluation runs under.
 */
export type TemplateErrorCode =
  'TEMPLATE_ERROR' | 'TEMPLATE_TIMEOUT' | 'TEMPLATE_TOO_DEEP' | 'TEMPLATE_TOO_LARGE' | 'TEMPLATE_FAILED';

export class TemplateError extends Error {
  constructor(
    readonly code: TemplateErrorCode,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path || '/'}: ${detail}`);
    this.name = 'TemplateError';
  }
}
