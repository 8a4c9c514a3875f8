import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calculator agents kept the last result of any task in their state, which every viewer of the agent can
 * read; a task's result is its creator's alone. The state now holds the count only: this removes the
 * result from the states saved before.
 */
export class CalculatorStateWithoutResults1764184000000 implements MigrationInterface {
  name = 'CalculatorStateWithoutResults1764184000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE "agent_states" s SET "state" = s."state" - 'lastResult'
       FROM "agents" a
       WHERE a."id" = s."agent_id" AND a."type" = 'calculator' AND jsonb_typeof(s."state") = 'object'
         AND s."state" ? 'lastResult'`,
    );
  }

  async down(): Promise<void> {
    // The results removed are not kept anywhere: nothing to restore.
  }
}
