/**
 * The fields a change request sent, for its audit entry (`details.fields`): the keys of `dto` with a value, null
 * included (it clears a field). A DTO class declares every field it may take, and its instances carry them all,
 * unset ones as undefined: those were not sent.
 */
export function sentFields(dto: object): string[] {
  return Object.entries(dto).flatMap(([key, value]) => (value === undefined ? [] : [key]));
}
