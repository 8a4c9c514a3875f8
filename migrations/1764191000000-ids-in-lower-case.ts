import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ids kept inside JSON in lower case, as every id is now taken: the agents of workflows' steps and of the runs'
 * copies of them, and the agents and workflows of triggers, saved before ids were lower-cased where they enter.
 * Compared as text (a trigger's source, a cached agent), an id saved in upper case matched nothing. Only rows holding
 * an upper-case hex digit in such an id are rewritten. Down leaves them: the lower-case id names the same row.
 */
export class IdsInLowerCase1764191000000 implements MigrationInterface {
  name = 'IdsInLowerCase1764191000000';

  async up(q: QueryRunner): Promise<void> {
    // The array's objects with the string values of `keys` lower-cased, in their order; anything else as it was.
    await q.query(`
      CREATE FUNCTION pg_temp.ymera_lower_ids(items jsonb, keys text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(jsonb_agg(
          CASE WHEN jsonb_typeof(e.item) = 'object' THEN (
            SELECT jsonb_object_agg(kv.k, CASE WHEN kv.k = ANY(keys) AND jsonb_typeof(kv.v) = 'string'
                                               THEN to_jsonb(lower(kv.v #>> '{}')) ELSE kv.v END)
              FROM jsonb_each(e.item) AS kv(k, v))
          ELSE e.item END ORDER BY e.i), '[]'::jsonb)
        FROM jsonb_array_elements(items) WITH ORDINALITY AS e(item, i)
      $$`);
    const upper = (keys: string) => `~ '"(${keys})": "[^"]*[A-F]'`;
    await q.query(`UPDATE "workflows" SET "steps" = pg_temp.ymera_lower_ids("steps", '{agentId}')
                    WHERE jsonb_typeof("steps") = 'array' AND "steps"::text ${upper('agentId')}`);
    await q.query(`UPDATE "workflows" SET "triggers" = pg_temp.ymera_lower_ids("triggers", '{agentId,workflowId}')
                    WHERE jsonb_typeof("triggers") = 'array' AND "triggers"::text ${upper('agentId|workflowId')}`);
    await q.query(`UPDATE "workflow_runs" SET "definition" = pg_temp.ymera_lower_ids("definition", '{agentId}')
                    WHERE jsonb_typeof("definition") = 'array' AND "definition"::text ${upper('agentId')}`);
    await q.query(`DROP FUNCTION pg_temp.ymera_lower_ids(jsonb, text[])`);
  }

  async down(): Promise<void> {
    // Nothing to undo: an id in lower case names what it named in upper case.
  }
}
