/**
 * The WHERE clause of a hand-written filter, built a condition at a time: `add('t.x = ?', value)` adds the
 * condition with `?` as the next numbered parameter, and nothing when the value is undefined. Parameters
 * already in `params` (a keyset cursor) keep their numbers.
 */
export function whereClause(params: unknown[] = []): {
  where: string[];
  params: unknown[];
  add(condition: string, value: unknown): void;
} {
  const where: string[] = [];
  return {
    where,
    params,
    add(condition, value) {
      if (value === undefined) return;
      params.push(value);
      where.push(condition.replace('?', `$${params.length}`));
    },
  };
}
