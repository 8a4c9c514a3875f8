import { apiQuery, filtersFromParams, isFiltered, pageRange, paramsFromFilters, withChanges } from './audit-filters';

describe('audit filters in the URL', () => {
  it('reads every filter the API supports from the URL', () => {
    const filters = filtersFromParams(
      new URLSearchParams(
        'action=user.update&actorId=u-1&resourceType=user&resourceId=r-1&outcome=denied' +
          '&from=2026-01-01T00:00:00Z&to=2026-01-02T12:30:00.000Z&hide=refreshes&page=3',
      ),
    );
    expect(filters).toEqual({
      action: 'user.update',
      actorId: 'u-1',
      resourceType: 'user',
      resourceId: 'r-1',
      outcome: 'denied',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-02T12:30:00.000Z',
      hideRefreshes: true,
      page: 3,
    });
  });

  it('leaves out what it does not understand, and starts on the first page', () => {
    const filters = filtersFromParams(
      new URLSearchParams('action=%20%20&outcome=maybe&from=yesterday&to=&page=-2&junk=1'),
    );
    expect(filters).toEqual({
      action: undefined,
      actorId: undefined,
      resourceType: undefined,
      resourceId: undefined,
      outcome: undefined,
      from: undefined,
      to: undefined,
      page: 1,
    });
    expect(isFiltered(filters)).toBe(false);
    expect(filtersFromParams(new URLSearchParams('page=2.7')).page).toBe(2);
    expect(filtersFromParams(new URLSearchParams('page=abc')).page).toBe(1);
  });

  it('trims text filters and cuts them to the length the server accepts', () => {
    const filters = filtersFromParams(new URLSearchParams(`action=${' user.create '}&actorId=${'x'.repeat(80)}`));
    expect(filters.action).toBe('user.create');
    expect(filters.actorId).toHaveLength(64);
  });

  it('writes only what is set, and a round trip keeps every filter', () => {
    expect(paramsFromFilters({ page: 1 }).toString()).toBe('');
    const params = new URLSearchParams(
      'action=auth.login&outcome=failure&from=2026-03-01T08:00:00.000Z&resourceType=user&hide=refreshes&page=2',
    );
    const filters = filtersFromParams(params);
    expect(filtersFromParams(paramsFromFilters(filters))).toEqual(filters);
    expect(paramsFromFilters(filters).get('page')).toBe('2');
    expect(isFiltered(filters)).toBe(true);
  });

  it('goes back to the first page when a filter changes, not when the page does', () => {
    const filters = { action: 'auth.login', page: 4 };
    expect(withChanges(filters, { outcome: 'success' })).toEqual({ action: 'auth.login', outcome: 'success', page: 1 });
    expect(withChanges(filters, { page: 5 })).toEqual({ action: 'auth.login', page: 5 });
    expect(withChanges(filters, { action: undefined })).toEqual({ action: undefined, page: 1 });
  });
});

describe('the API query', () => {
  it('pages with skip and limit and sends only the filters that are set', () => {
    expect(apiQuery({ page: 1 })).toEqual({ skip: 0, limit: 50 });
    expect(
      apiQuery({ page: 3, action: 'user.update', outcome: 'success', to: '2026-01-01T00:00:00.000Z' }, 20),
    ).toEqual({ skip: 40, limit: 20, action: 'user.update', outcome: 'success', to: '2026-01-01T00:00:00.000Z' });
    expect(apiQuery({ page: 1, hideRefreshes: true })).toEqual({ skip: 0, limit: 50, excludeAction: 'auth.refresh' });
  });

  it('says where the page is in the whole list, numbers grouped', () => {
    expect(pageRange(1, 0)).toBe('0 entries');
    expect(pageRange(1, 7)).toBe('1–7 of 7');
    expect(pageRange(25, 5000, 50)).toBe('1,201–1,250 of 5,000');
    expect(pageRange(2, 10_000, 50, false)).toBe('51–100 of 10,000+');
  });
});
