import { AgentExecutionError } from '../agents/agent-type';
import type { JsonSchema, SchemaValidator } from '../common/schema/schema-validator';

/**
 * Checks an attempt's output against its type's schema: BAD_OUTPUT when it does not match, OUTPUT_NOT_STORABLE
 * when it is nested too deep to be checked (or stored), neither retried: the stack overflow is the value's, not
 * the executor's, and would come again.
 */
export function checkOutput(validator: Pick<SchemaValidator, 'check'>, schema: JsonSchema, output: unknown): void {
  let checked: ReturnType<SchemaValidator['check']>;
  try {
    checked = validator.check(schema, output);
  } catch (err) {
    // By name: a stack overflow may come from another realm's RangeError.
    if ((err as Error | undefined)?.name !== 'RangeError') throw err;
    throw new AgentExecutionError('OUTPUT_NOT_STORABLE', 'The output cannot be stored: it is nested too deep', false);
  }
  if (!checked.valid)
    throw new AgentExecutionError(
      'BAD_OUTPUT',
      `The output does not match the type: ${checked.errors[0].field} ${checked.errors[0].message}`,
      false,
    );
}
