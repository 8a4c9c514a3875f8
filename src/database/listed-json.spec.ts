import { LISTED_JSON_MAX_BYTES, LISTED_PAGE_MAX_BYTES, listedBound } from './listed-json';

describe('listedBound', () => {
  it('is 64 KiB up to a page of 64 items, then shrinks so a page of inputs and outputs stays within 8 MiB', () => {
    expect([1, 50, 64].map(listedBound)).toEqual([LISTED_JSON_MAX_BYTES, LISTED_JSON_MAX_BYTES, LISTED_JSON_MAX_BYTES]);
    expect(listedBound(65)).toBeLessThan(LISTED_JSON_MAX_BYTES);
    expect(listedBound(1000)).toBe(4194);
    for (const limit of [65, 100, 333, 1000])
      expect(2 * limit * listedBound(limit)).toBeLessThanOrEqual(LISTED_PAGE_MAX_BYTES);
  });
});
