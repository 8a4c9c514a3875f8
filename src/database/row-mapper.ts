import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Hand-written SQL for hot paths, with the entity's own column list: `columns` is the select list
 * (`"t"."agent_id" AS "t__agent_id"`, …) and `map` turns a row of it back into the entity. The pg driver
 * already gives timestamps as Date and jsonb as data, so mapping is renaming; the column list comes from
 * the entity metadata, so a new column cannot be forgotten here (one declared `select: false` is left out).
 */
export interface RowMapper<T> {
  readonly columns: string;
  /** How many values `columns` selects: what a statement selects after them starts at this index. */
  readonly width: number;
  /** `columns` with these columns (by database name) selected as the given SQL expressions instead. */
  columnsWith(expressions: Readonly<Record<string, string>>): string;
  map(row: Record<string, unknown>): T;
  /** The same from a row read as an array of values in select-list order (`rowMode: 'array'`). */
  fromValues(values: unknown[]): T;
  /** The primary key (`id`) of such a row, as text. */
  idOfValues(values: unknown[]): string;
}

export function rowMapper<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  alias: string,
): RowMapper<T> {
  const metadata = dataSource.getMetadata(entity);
  const fields = metadata.columns
    .filter((c) => c.isSelect)
    .map((c) => ({
      column: c.databaseName,
      property: c.propertyName,
      key: `${alias}__${c.databaseName}`,
    }));
  const target = metadata.target as new () => T;
  const idIndex = fields.findIndex((f) => f.column === 'id');
  const columnsWith = (expressions: Readonly<Record<string, string>>): string =>
    fields.map((f) => `${expressions[f.column] ?? `"${alias}"."${f.column}"`} AS "${f.key}"`).join(', ');
  return {
    columns: columnsWith({}),
    width: fields.length,
    columnsWith,
    map(row) {
      const entityObject = new target() as Record<string, unknown>;
      for (const f of fields) entityObject[f.property] = row[f.key];
      return entityObject as T;
    },
    fromValues(values) {
      const entityObject = new target() as Record<string, unknown>;
      for (let i = 0; i < fields.length; i += 1) entityObject[fields[i].property] = values[i];
      return entityObject as T;
    },
    idOfValues: (values) => String(values[idIndex]),
  };
}
