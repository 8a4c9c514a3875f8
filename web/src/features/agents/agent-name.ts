/** The server's rule for an agent's name (CreateAgentDto), checked before a submit with the config's. */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9._-])?$/;

export function agentNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) return 'is required';
  if (trimmed.length > 200) return 'must be at most 200 characters';
  if (!NAME.test(trimmed))
    return 'must start with an ASCII letter or digit, use ASCII letters, digits, space . _ - and not end with a space';
  return null;
}
