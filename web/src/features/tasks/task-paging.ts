const numberFormat = new Intl.NumberFormat('en');

/** Where a page of a list stands, for "21–40 of 10,000+" and whether a next page is worth offering. */
export interface ListPosition {
  from: number;
  to: number;
  /** The total as shown: "10,000+" when the server's count stopped at its cap. */
  of: string;
  label: string;
  hasNext: boolean;
}

/**
 * The position of page `page` (from 1) of `size` items showing `shown` of them, in a list the server counted
 * to `total`; `totalCapped` says its count stopped there (more match), so the total is shown as a lower bound
 * and a full page may have a next one whatever the total says.
 */
export function listPosition(
  page: number,
  size: number,
  shown: number,
  total: number,
  totalCapped: boolean,
): ListPosition {
  const from = shown === 0 ? 0 : (page - 1) * size + 1;
  const to = shown === 0 ? 0 : from + shown - 1;
  const of = `${numberFormat.format(total)}${totalCapped ? '+' : ''}`;
  return {
    from,
    to,
    of,
    label: `${numberFormat.format(from)}–${numberFormat.format(to)} of ${of}`,
    hasNext: totalCapped ? shown === size : to < total,
  };
}
