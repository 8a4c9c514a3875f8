/**
 * The agents list's Type filter, read from the URL (`?type=`) against the types the server knows (`known`,
 * undefined while they load or when they could not be loaded): a type the server does not know filters nothing
 * and is to be dropped from the URL (`drop`), as the other lists leave out a filter value they do not understand;
 * while the types are not known, the value is kept as it is (the server judges it).
 */
export function agentTypeFilter(
  param: string | null,
  known: readonly string[] | undefined,
): { type: string | undefined; drop: boolean } {
  if (!param) return { type: undefined, drop: false };
  if (known && !known.includes(param)) return { type: undefined, drop: true };
  return { type: param, drop: false };
}
