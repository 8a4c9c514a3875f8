import { TextInput } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useSlashFocus } from './use-slash-focus';

/** How long typing must pause before the search is run. */
const SETTLE_MS = 300;

/**
 * A list's text search, kept in the URL's `q` (a search can be shared, and survives a reload): written once typing
 * pauses, back to the first page; `/` focuses it. `searches` says what it looks in ("Name or description").
 */
export function SearchBox({ searches }: { searches: string }) {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  // The URL changed under the box (Clear filters, Back): show what it now holds.
  const [shown, setShown] = useState(q);
  if (q !== shown) {
    setShown(q);
    setText(q);
  }
  const ref = useRef<HTMLInputElement>(null);
  useSlashFocus(ref);

  useEffect(() => {
    if (text === q) return;
    const timer = setTimeout(() => {
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          if (text) next.set('q', text);
          else next.delete('q');
          next.delete('page');
          return next;
        },
        { replace: true },
      );
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [text, q, setParams]);

  return (
    <TextInput
      ref={ref}
      type="search"
      label="Search"
      description={`${searches} (press / to focus)`}
      maxLength={200}
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
    />
  );
}
