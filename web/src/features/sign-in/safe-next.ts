/**
 * Where to go after signing in: only a path inside the console. `?next=https://elsewhere`, `//elsewhere` and
 * `/\elsewhere` (which browsers read as `//elsewhere`) lead to the start page instead.
 */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !/^\/[/\\]/.test(next) ? next : '/';
}
