import { isPastTheEnd, pageOfSearch, pageQuery, withPage } from './paging';

describe('paging', () => {
  it('reads the page from the URL, 1 when absent, unreadable or below 2', () => {
    expect(pageOfSearch(new URLSearchParams('page=3'))).toBe(3);
    expect(pageOfSearch(new URLSearchParams('page=2.7'))).toBe(2);
    for (const bad of ['', 'page=', 'page=x', 'page=-4', 'page=0', 'page=Infinity']) {
      expect(pageOfSearch(new URLSearchParams(bad))).toBe(1);
    }
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
