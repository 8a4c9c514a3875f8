/** The server's rule for an agent's name (CreateAgentDto), checked before a submit with the config's. */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9._-])?$/;
const ALLOWED = /[A-Za-z0-9 ._-]/;
const MAX_LENGTH = 200;
/** How many of the characters not allowed are quoted back. */
const QUOTED = 5;

/** The rule, as the name field's description: shown before a submit, so that a name is right the first time. */
export const AGENT_NAME_RULE =
  'At most 200 characters: ASCII letters, digits, space . _ -, starting with a letter or digit. ' +
  'Unique among the agents (letter case counts).';

/** Every way the name breaks the rule, all at once (none when it keeps it). */
export function agentNameProblems(name: string): string[] {
  const trimmed = name.trim();
  // Said as the schema forms say a missing value (plain-errors.ts), the name being a field of the same forms.
  if (!trimmed) return ['Enter a value'];
  if (trimmed.length <= MAX_LENGTH && NAME.test(trimmed)) return [];
  const problems: string[] = [];
  const length = [...trimmed].length;
  if (length > MAX_LENGTH)
    problems.push(`must be at most ${MAX_LENGTH} characters (it has ${length.toLocaleString('en')})`);
  if (!/^[A-Za-z0-9]/.test(trimmed)) problems.push('must start with an ASCII letter or digit');
  const others = [...new Set([...trimmed].filter((c) => !ALLOWED.test(c)))];
  if (others.length > 0) {
    const quoted = others
      .slice(0, QUOTED)
      .map((c) => `“${c}”`)
      .join(' ');
    problems.push(
      `may use only ASCII letters, digits, space . _ - (not ${quoted}${others.length > QUOTED ? ' …' : ''})`,
    );
  }
  return problems;
}

/** The name's problems in one sentence for its field, or null when there are none. */
export function agentNameProblem(name: string): string | null {
  const problems = agentNameProblems(name);
  return problems.length > 0 ? problems.join('; ') : null;
}
