import { containsPattern } from './search-pattern';

describe('containsPattern', () => {
  it('finds the text anywhere, its wildcards and escape taken literally', () => {
    expect(containsPattern('report')).toBe('%report%');
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
