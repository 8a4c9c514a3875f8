import { ApiError } from '../api/errors';
import { MAX_SKIP, isPastTheEnd, isTooDeep, pageOf, pageOfSearch, pageQuery, withPage } from './paging';

describe('paging', () => {
  it('reads the page from the URL, 1 when absent, unreadable or below 2', () => {
    expect(pageOfSearch(new URLSearchParams('page=3'))).toBe(3);
    expect(pageOfSearch(new URLSearchParams('page=2.7'))).toBe(2);
    for (const bad of ['', 'page=', 'page=x', 'page=-4', 'page=0', 'page=Infinity']) {
      expect(pageOfSearch(new URLSearchParams(bad))).toBe(1);
    }
  });

  it('reads a page past the deepest any list can have as the first such page, for a skip the API reads', () => {
    // Past MAX_SKIP whatever the page size: kept as a whole number, not 1e+21 (which no integer check reads).
    for (const huge of ['1000002', '1000003', '1e20', '99999999999999999999']) {
      expect(pageOf(huge)).toBe(MAX_SKIP + 2);
      expect(pageQuery(pageOf(huge), 1).skip).toBeGreaterThan(MAX_SKIP);
      expect(Number.isSafeInteger(pageQuery(pageOf(huge), 1000).skip)).toBe(true);
    }
    // Deep pages the API still reads are kept: /agents?page=40001 (25 a page) starts at skip 1,000,000.
    expect(pageOf('40001')).toBe(40001);
    expect(pageQuery(pageOf('40001'), 25).skip).toBe(MAX_SKIP);
    expect(pageOf('50002')).toBe(50002);
    expect(pageOf(String(MAX_SKIP + 1))).toBe(MAX_SKIP + 1);
  });

  it('tells a read refused for starting deeper than the API pages from any other failure', () => {
    const refused = (details: { field?: string; message: string }[], status = 400, code = 'VALIDATION_FAILED') =>
      new ApiError(status, code, 'The request is invalid', 'req-1', details);
    // /agents?page=50002: skip 1,250,025.
    expect(isTooDeep(refused([{ field: '/skip', message: 'must not be greater than 1000000' }]))).toBe(true);
    expect(
      isTooDeep(
        refused([
          { field: '/q', message: 'must be shorter' },
          { field: '/skip', message: 'must not be greater than 1000000' },
        ]),
      ),
    ).toBe(true);
    // Another field refused, another failure, or no answer: an error to show as it is.
    expect(isTooDeep(refused([{ field: '/actorId', message: 'must be a UUID' }]))).toBe(false);
    expect(isTooDeep(refused([]))).toBe(false);
    expect(isTooDeep(refused([{ field: '/skip', message: 'x' }], 500, 'INTERNAL_ERROR'))).toBe(false);
    expect(isTooDeep(new TypeError('Failed to fetch'))).toBe(false);
    expect(isTooDeep(null)).toBe(false);
  });

  it('writes the page into the URL, leaving it out for the first, and keeps the other params', () => {
    expect(withPage(new URLSearchParams('q=a&page=4'), 2).toString()).toBe('q=a&page=2');
    expect(withPage(new URLSearchParams('q=a&page=4'), 1).toString()).toBe('q=a');
  });

  it('gives the skip and limit of a page', () => {
    expect(pageQuery(1, 25)).toEqual({ skip: 0, limit: 25 });
    expect(pageQuery(3, 10)).toEqual({ skip: 20, limit: 10 });
  });

  it('tells an empty page past the end of a list that has items from an empty list', () => {
    // /tasks?page=99 of 12 tasks, or the last item of the last page gone: past the end.
    expect(isPastTheEnd(99, 0, 12)).toBe(true);
    expect(isPastTheEnd(2, 0, 1)).toBe(true);
    // The first page of an empty list, any page of a list with nothing in it, a page showing items: not.
    expect(isPastTheEnd(1, 0, 0)).toBe(false);
    expect(isPastTheEnd(1, 0, 5)).toBe(false);
    expect(isPastTheEnd(3, 0, 0)).toBe(false);
    expect(isPastTheEnd(2, 4, 29)).toBe(false);
  });
});
