import { listPosition } from './task-paging';

describe('listPosition', () => {
  it('counts an exact total as it is, and offers a next page while one is left', () => {
    expect(listPosition(1, 20, 20, 45, false)).toEqual({
      from: 1,
      to: 20,
      of: '45',
      label: '1–20 of 45',
      hasNext: true,
    });
    expect(listPosition(3, 20, 5, 45, false)).toMatchObject({ from: 41, to: 45, label: '41–45 of 45', hasNext: false });
  });

  it('shows a capped total as a lower bound, and pages on past it while pages are full', () => {
    expect(listPosition(1, 20, 20, 10_000, true)).toMatchObject({
      of: '10,000+',
      label: '1–20 of 10,000+',
      hasNext: true,
    });
    expect(listPosition(501, 20, 20, 10_000, true)).toMatchObject({
      from: 10_001,
      to: 10_020,
      label: '10,001–10,020 of 10,000+',
      hasNext: true,
    });
    expect(listPosition(900, 20, 7, 10_000, true)).toMatchObject({ to: 17_987, hasNext: false });
  });

  it('says nothing is shown on an empty page', () => {
    expect(listPosition(1, 20, 0, 0, false)).toMatchObject({ from: 0, to: 0, label: '0–0 of 0', hasNext: false });
  });
});
