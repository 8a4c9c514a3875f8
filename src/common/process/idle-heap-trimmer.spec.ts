import { grown, trimStep } from './idle-heap-trimmer';

const MB = 1024 * 1024;

describe('grown', () => {
  it('is worth a collection once used memory grew by 32 MB', () => {
    expect(grown({ heapUsed: 60 * MB, heapTotal: 90 * MB }, { heapUsed: 92 * MB, heapTotal: 100 * MB })).toBe(true);
  });

  it('is worth one once committed memory grew by 32 MB, even with little more in use', () => {
    expect(grown({ heapUsed: 65 * MB, heapTotal: 89 * MB }, { heapUsed: 67 * MB, heapTotal: 149 * MB })).toBe(true);
  });

  it('is not worth one for smaller growth, nor when memory went down', () => {
    expect(grown({ heapUsed: 60 * MB, heapTotal: 90 * MB }, { heapUsed: 80 * MB, heapTotal: 110 * MB })).toBe(false);
    expect(grown({ heapUsed: 90 * MB, heapTotal: 150 * MB }, { heapUsed: 60 * MB, heapTotal: 90 * MB })).toBe(false);
  });
});

describe('trimStep', () => {
  const after = { heapUsed: 60 * MB, heapTotal: 100 * MB };
  const state = { baseline: after, collectedAt: 10_000, followUps: 2 };

  it('collects when the heap grew since the last collection, follow-ups or not', () => {
    expect(trimStep({ ...state, followUps: 0 }, { heapUsed: 95 * MB, heapTotal: 140 * MB }, 10_500)).toBe('collect');
  });

  it('follows up 5 s after a collection that left 16 MB or more committed but unused', () => {
    expect(trimStep(state, after, 14_999)).toBe('none');
    expect(trimStep(state, after, 15_000)).toBe('follow-up');
  });

  it('does not follow up once the heap is compact, nor after its last follow-up', () => {
    expect(trimStep(state, { heapUsed: 60 * MB, heapTotal: 75 * MB }, 20_000)).toBe('none');
    expect(trimStep({ ...state, followUps: 0 }, after, 20_000)).toBe('none');
  });
});
