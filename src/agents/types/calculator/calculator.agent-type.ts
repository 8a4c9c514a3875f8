import { Injectable } from '@nestjs/common';
import { type AgentType, type ExecutionContext, nonRetryable } from '../../agent-type';
import { evaluateExpression } from './expression';

export interface CalculatorInput {
  expression: string;
  variables?: Record<string, number>;
}
export interface CalculatorState {
  evaluated: number;
  lastResult: number | null;
}
export interface CalculatorConfig {
  precision: number;
}

@Injectable()
export class CalculatorAgentType implements AgentType<CalculatorInput, CalculatorConfig, { result: number }> {
  readonly type = 'calculator';
  readonly description =
    'Evaluates arithmetic expressions with a real parser (no eval): + - * / % ^, functions, pi and e.';
  readonly configSchema = {
    type: 'object',
    additionalProperties: false,
    properties: { precision: { type: 'integer', minimum: 0, maximum: 15, default: 10, description: 'Decimal places' } },
  };
  readonly inputSchema = {
    type: 'object',
    required: ['expression'],
    additionalProperties: false,
    properties: {
      expression: { type: 'string', minLength: 1, maxLength: 2000 },
      variables: {
        type: 'object',
        maxProperties: 100,
        propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' },
        additionalProperties: { type: 'number' },
      },
    },
  };
  readonly outputSchema = {
    type: 'object',
    required: ['result'],
    properties: { result: { type: 'number' } },
  };

  async execute({
    input,
    config,
    agentState,
  }: ExecutionContext<CalculatorInput, CalculatorConfig>): Promise<{ result: number }> {
    const value = evaluateExpression(input.expression, input.variables ?? {});
    if (!Number.isFinite(value)) throw nonRetryable('NOT_A_NUMBER', 'The expression has no finite value');
    const result = Number(value.toFixed(config.precision));
    // The agent's state: how many expressions it evaluated, and the last result.
    const state = agentState.get<CalculatorState>() ?? { evaluated: 0, lastResult: null };
    agentState.set({ evaluated: state.evaluated + 1, lastResult: result });
    return { result };
  }
}
