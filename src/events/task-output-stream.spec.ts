import { OUTPUT_DELTA_MAX_CHARS, type TaskOutputDelta, TaskOutputStream } from './task-output-stream';

describe('TaskOutputStream', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function stream() {
    const sent: TaskOutputDelta[] = [];
    return { sent, output: new TaskOutputStream((d) => sent.push(d), 'task-1', 2, 50) };
  }

  it('sends what is written within an interval as one delta, numbered in order', () => {
    const { sent, output } = stream();
    output.write('Hel');
    output.write('lo');
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(50);
    output.write(', world');
    jest.advanceTimersByTime(50);
    expect(sent).toEqual([
      { taskId: 'task-1', attempt: 2, seq: 1, delta: 'Hello' },
      { taskId: 'task-1', attempt: 2, seq: 2, delta: ', world' },
    ]);
    jest.advanceTimersByTime(500);
    expect(sent).toHaveLength(2);
  });

  it('sends at once when what is held grows large, and ignores empty writes', () => {
    const { sent, output } = stream();
    output.write('');
    output.write('x'.repeat(OUTPUT_DELTA_MAX_CHARS));
    expect(sent).toEqual([expect.objectContaining({ seq: 1, delta: 'x'.repeat(OUTPUT_DELTA_MAX_CHARS) })]);
    jest.advanceTimersByTime(100);
    expect(sent).toHaveLength(1);
  });

  it('close sends what is held without waiting and drops later writes', () => {
    const { sent, output } = stream();
    output.write('last words');
    output.close();
    expect(sent).toEqual([expect.objectContaining({ seq: 1, delta: 'last words' })]);
    output.write('too late');
    jest.advanceTimersByTime(100);
    expect(sent).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });
});
