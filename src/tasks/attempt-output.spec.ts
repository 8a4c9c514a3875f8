import { AgentExecutionError } from '../agents/agent-type';
import { checkOutput } from './attempt-output';

/** A validator whose check answers `result`, or throws what `fails` makes. */
const validator = (result: ReturnType<typeof checkOutput> | { valid: boolean }, fails?: () => Error) => ({
  check: () => {
    if (fails) throw fails();
    return result as { valid: true; value: unknown };
  },
});

describe('checkOutput', () => {
  it('passes an output that matches', () => {
    expect(() => checkOutput(validator({ valid: true }), {}, { answer: 1 })).not.toThrow();
  });

  it('fails one that does not match as BAD_OUTPUT, naming the first problem, not retried', () => {
    const refusing = {
      check: () => ({ valid: false as const, errors: [{ field: '/answer', message: 'is required' }] }),
    };
    expect(() => checkOutput(refusing, {}, {})).toThrow(
      expect.objectContaining({
        code: 'BAD_OUTPUT',
        message: 'The output does not match the type: /answer is required',
        retryable: false,
      }),
    );
  });

  it('fails one too deep to check (a stack overflow, from any realm) as OUTPUT_NOT_STORABLE, not retried', () => {
    const overflow = () => Object.assign(new Error('Maximum call stack size exceeded'), { name: 'RangeError' });
    for (const fails of [overflow, () => new RangeError('Maximum call stack size exceeded')]) {
      let thrown: unknown;
      try {
        checkOutput(validator({ valid: true }, fails), {}, []);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(AgentExecutionError);
      expect(thrown).toMatchObject({ code: 'OUTPUT_NOT_STORABLE', retryable: false });
    }
  });

  it('lets any other failure of the check through, as the executor’s', () => {
    const broken = new TypeError('broken');
    expect(() =>
      checkOutput(
        validator({ valid: true }, () => broken),
        {},
        {},
      ),
    ).toThrow(broken);
  });
});
