import { grown } from './idle-heap-trimmer';

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
