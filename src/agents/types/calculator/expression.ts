import jsep, { type Expression } from 'jsep';
import { nonRetryable } from '../../agent-type';

// jsep speaks JavaScript expressions; narrowed here to arithmetic. `^` is power (right-associative,
// binding tighter than * / %), and everything that is not arithmetic is removed from the grammar.
jsep.removeAllBinaryOps();
jsep.removeAllUnaryOps();
jsep.removeAllLiterals();
jsep.addBinaryOp('+', 9);
jsep.addBinaryOp('-', 9);
jsep.addBinaryOp('*', 10);
jsep.addBinaryOp('/', 10);
jsep.addBinaryOp('%', 10);
jsep.addBinaryOp('^', 11, true);
jsep.addUnaryOp('-');
jsep.addUnaryOp('+');

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

const FUNCTIONS: Record<string, { arity: [number, number]; fn: (...args: number[]) => number }> = {
  sqrt: { arity: [1, 1], fn: Math.sqrt },
  abs: { arity: [1, 1], fn: Math.abs },
  min: { arity: [1, 100], fn: Math.min },
  max: { arity: [1, 100], fn: Math.max },
  round: { arity: [1, 1], fn: Math.round },
  floor: { arity: [1, 1], fn: Math.floor },
  ceil: { arity: [1, 1], fn: Math.ceil },
  log: { arity: [1, 1], fn: Math.log },
  exp: { arity: [1, 1], fn: Math.exp },
  sin: { arity: [1, 1], fn: Math.sin },
  cos: { arity: [1, 1], fn: Math.cos },
  tan: { arity: [1, 1], fn: Math.tan },
};

function syntaxError(message: string): Error {
  return nonRetryable('SYNTAX_ERROR', message);
}

function evaluate(node: Expression, variables: Record<string, number>): number {
  switch (node.type) {
    case 'Literal': {
      if (typeof node.value !== 'number') throw syntaxError(`Unexpected ${String(node.raw)}`);
      return node.value;
    }
    case 'Identifier': {
      const name = node.name as string;
      if (Object.prototype.hasOwnProperty.call(variables, name)) return variables[name];
      if (Object.prototype.hasOwnProperty.call(CONSTANTS, name)) return CONSTANTS[name];
      throw nonRetryable('UNKNOWN_SYMBOL', `Unknown variable or constant "${name}"`);
    }
    case 'UnaryExpression': {
      const value = evaluate(node.argument as Expression, variables);
      return node.operator === '-' ? -value : value;
    }
    case 'BinaryExpression': {
      const left = evaluate(node.left as Expression, variables);
      const right = evaluate(node.right as Expression, variables);
      switch (node.operator) {
        case '+':
          return left + right;
        case '-':
          return left - right;
        case '*':
          return left * right;
        case '^':
          return left ** right;
        case '/':
        case '%':
          if (right === 0) throw nonRetryable('DIVISION_BY_ZERO', 'Division by zero');
          return node.operator === '/' ? left / right : left % right;
        default:
          throw syntaxError(`Unsupported operator ${String(node.operator)}`);
      }
    }
    case 'CallExpression': {
      const callee = node.callee as Expression;
      const name = callee.type === 'Identifier' ? (callee.name as string) : '';
      const fn = Object.prototype.hasOwnProperty.call(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
      if (!fn) throw nonRetryable('UNKNOWN_FUNCTION', `Unknown function "${name || '?'}"`);
      const args = (node.arguments as Expression[]).map((a) => evaluate(a, variables));
      if (args.length < fn.arity[0] || args.length > fn.arity[1]) {
        throw syntaxError(
          `${name} takes ${fn.arity[0] === fn.arity[1] ? fn.arity[0] : `${fn.arity[0]}-${fn.arity[1]}`} argument(s)`,
        );
      }
      return fn.fn(...args);
    }
    default:
      throw syntaxError(`Unsupported expression (${node.type})`);
  }
}

/** Parses and evaluates an arithmetic expression; syntax errors and division by zero are not retryable. */
export function evaluateExpression(expression: string, variables: Record<string, number> = {}): number {
  let ast: Expression;
  try {
    ast = jsep(expression);
  } catch (err) {
    throw syntaxError((err as Error).message);
  }
  return evaluate(ast, variables);
}
