import { ApiError, UNREACHABLE_MESSAGE, UnreachableError, asUnreachable, errorMessage, isUnreachable } from './errors';

describe('a request that got no answer', () => {
  it('is said in words an operator understands, whatever the browser called it', () => {
    for (const words of ['Failed to fetch', 'NetworkError when attempting to fetch resource.', 'Load failed']) {
      expect(isUnreachable(new TypeError(words))).toBe(true);
      expect(errorMessage(new TypeError(words))).toBe(UNREACHABLE_MESSAGE);
    }
    expect(UNREACHABLE_MESSAGE).toMatch(/^Could not reach the YMERA API: check your connection/);
    expect(errorMessage(new UnreachableError())).toBe(UNREACHABLE_MESSAGE);
  });

  it('is told apart from an answer, a bug and a module that did not load', () => {
    expect(isUnreachable(new ApiError(503, 'SERVICE_UNAVAILABLE', 'down', 'r1'))).toBe(false);
    expect(isUnreachable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isUnreachable(new TypeError('Failed to fetch dynamically imported module: /assets/a.js'))).toBe(false);
    expect(errorMessage(new ApiError(403, 'FORBIDDEN', 'No', undefined))).toBe('No');
    expect(errorMessage('thrown text', 'The change failed')).toBe('The change failed');
  });

  it('is what a rejected fetch becomes; an aborted request stays what it is', () => {
    const offline = new TypeError('Failed to fetch');
    const made = asUnreachable(offline);
    expect(made).toBeInstanceOf(UnreachableError);
    expect(made).toMatchObject({ message: UNREACHABLE_MESSAGE, cause: offline });
    const aborted = new DOMException('The operation was aborted.', 'AbortError');
    expect(asUnreachable(aborted)).toBe(aborted);
  });
});
