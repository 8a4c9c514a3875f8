import { Injectable } from '@nestjs/common';
import { type AgentType, type ExecutionContext, nonRetryable } from '../../agent-type';
import { evaluateExpression } from './expression';

export interface CalculatorInput {
  expression: string;
  variables?: Record<string, number>;
}
/** Agent-wide, so readable by every viewer of the agent: a count only, never a task's input or result. */
export interface CalculatorState {
  evaluated: number;
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
    properties: {
      precision: {
        title: 'Precision',
        type: 'integer',
        minimum: 0,
        maximum: 15,
        default: 10,
        description: 'Decimal places',
      },
    },
  };
  readonly inputSchema = {
    type: 'object',
    required: ['expression'],
    additionalProperties: false,
    properties: {
      expression: {
        title: 'Expression',
        type: 'string',
        minLength: 1,
        maxLength: 2000,
        description:
          'Arithmetic: numbers, + - * / % ^, parentheses, pi, e, sqrt, abs, min, max, round, floor, ceil, log, exp, sin, cos, tan and the variables below, e.g. sqrt(a) * 2',
      },
      variables: {
        title: 'Variables',
        description: 'Numbers the expression names: letters, digits and _, not starting with a digit',
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
    // The agent's state: how many expressions it evaluated. A result belongs to its task, which only the
    // task's creator may read; the state is shown to every viewer of the agent (GET /agents/:id/checkpoint).
    const evaluated = agentState.get<Partial<CalculatorState>>()?.evaluated ?? 0;
    agentState.set({ evaluated: evaluated + 1 } satisfies CalculatorState);
    return { result };
  }
}
