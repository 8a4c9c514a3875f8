/** The Postgres error behind a TypeORM error (or the error itself, from the driver). */
function driverErrorOf(err: unknown): { code?: string; constraint?: string } {
  const e = err as { driverError?: { code?: string; constraint?: string }; code?: string; constraint?: string };
  return e?.driverError ?? e ?? {};
}

/** A unique constraint refused the row; with `constraint`, that one (an index's name for a unique index). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const { code, constraint: name } = driverErrorOf(err);
  return code === '23505' && (constraint === undefined || name === constraint);
}
