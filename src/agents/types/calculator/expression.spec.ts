import { AgentExecutionError } from '../../agent-type';
import { evaluateExpression } from './expression';

function failure(expression: string): AgentExecutionError {
  try {
    evaluateExpression(expression);
  } catch (err) {
    return err as AgentExecutionError;
  }
  throw new Error(`expected ${expression} to fail`);
}

describe('calculator expressions', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', 4],
    ['10 % 4', 2],
    ['-(3 - 5)', 2],
    ['sqrt(16) + abs(-2)', 6],
    ['max(1, 7, 3) - min(4, 2)', 5],
    ['round(2.5) + floor(1.9) + ceil(1.1)', 6],
    ['log(e) + exp(0)', 2],
    ['sin(0) + cos(0) + tan(0)', 1],
    ['2 * pi', 2 * Math.PI],
    ['1e3 / 4', 250],
  ])('%s = %d', (expression, expected) => {
    expect(evaluateExpression(expression)).toBeCloseTo(expected, 10);
  });

  it('reads variables', () => {
    expect(evaluateExpression('price * qty', { price: 2.5, qty: 4 })).toBe(10);
  });

  it('fails at once, without retries, on division by zero and bad syntax', () => {
    expect(failure('1 / 0')).toMatchObject({ code: 'DIVISION_BY_ZERO', retryable: false });
    expect(failure('5 % (2 - 2)')).toMatchObject({ code: 'DIVISION_BY_ZERO', retryable: false });
    for (const bad of ['1 +', '(1 + 2', '2 ** 3', '1 == 1', 'a.b', 'x[0]', 'true', '"s"', '1 ? 2 : 3', '1, 2']) {
      expect(failure(bad)).toMatchObject({ retryable: false });
    }
  });

  it('has no way out to JavaScript', () => {
    for (const bad of ['constructor', 'process.exit(1)', 'eval(1)', 'Function(1)', 'this', 'toString()']) {
      expect(failure(bad).retryable).toBe(false);
    }
  });
});
