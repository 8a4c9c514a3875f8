import { Title } from '@mantine/core';
import { useEffect } from 'react';

/**
 * The page's one h1, also the document title, and where focus goes when a page left under the user's hand took
 * the focused button with it (`app/focus-after-navigation.ts`): focusable by script, not by Tab. `truncate` keeps a long name (an agent's, up to 200 characters
 * without a space) on one line, cut with an ellipsis: the whole name is its tooltip and what a screen reader reads.
 */
export function PageTitle({ children, truncate = false }: { children: string; truncate?: boolean }) {
  useEffect(() => {
    document.title = `${children} · YMERA`;
  }, [children]);
  return (
    <Title
      order={1}
      mb="lg"
      tabIndex={-1}
      className={truncate ? 'truncate' : undefined}
      title={truncate ? children : undefined}
    >
      {children}
    </Title>
  );
}
