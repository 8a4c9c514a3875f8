import { Title } from '@mantine/core';
import { useEffect } from 'react';

/**
 * The page's one h1, also the document title. `truncate` keeps a long name (an agent's, up to 200 characters
 * without a space) on one line, cut with an ellipsis: the whole name is its tooltip and what a screen reader reads.
 */
export function PageTitle({ children, truncate = false }: { children: string; truncate?: boolean }) {
  useEffect(() => {
    document.title = `${children} · YMERA`;
  }, [children]);
  return (
    <Title order={1} mb="lg" className={truncate ? 'truncate' : undefined} title={truncate ? children : undefined}>
      {children}
    </Title>
  );
}
