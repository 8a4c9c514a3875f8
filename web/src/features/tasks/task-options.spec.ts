import { NO_OPTIONS, optionErrors, optionProblems, optionsBody } from './task-options';

describe("a new task's options", () => {
  it('sends only what is set, the start time as an instant', () => {
    expect(optionsBody(NO_OPTIONS)).toEqual({});
    const body = optionsBody({ priority: 1, maxAttempts: 5, tags: ['nightly', 'team:ops'], runAt: '2030-06-01T09:30' });
    expect(body).toMatchObject({ priority: 1, maxAttempts: 5, tags: ['nightly', 'team:ops'] });
    expect(new Date(body.runAt ?? '').getTime()).toBe(new Date('2030-06-01T09:30').getTime());
  });

  it('finds bad tags and an unreadable start time before sending', () => {
    expect(optionProblems(NO_OPTIONS)).toEqual({});
    expect(optionProblems({ ...NO_OPTIONS, tags: ['ok', '-dash', 'with space'] }).tags).toBe(
      'Not a tag: -dash, with space (1–64 letters, digits and _ . : / -, starting with a letter or digit)',
    );
    expect(optionProblems({ ...NO_OPTIONS, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }).tags).toBe(
      'At most 20 tags',
    );
    expect(optionProblems({ ...NO_OPTIONS, runAt: '2030-02-31' }).runAt).toBe('Not a date and time');
  });

  it("puts the server's problems on their fields and leaves the rest", () => {
    const { fields, rest } = optionErrors([
      { field: '/priority', message: 'must be at most 10' },
      { field: '/tags/1', message: 'is not a tag' },
      { field: '/tags/3', message: 'is not a tag' },
      { field: '/input/a', message: 'is required' },
      { message: 'Agent is paused' },
    ]);
    expect(fields).toEqual({ priority: 'must be at most 10', tags: 'is not a tag; is not a tag' });
    expect(rest).toEqual([{ field: '/input/a', message: 'is required' }, { message: 'Agent is paused' }]);
  });
});
