import { Title } from '@mantine/core';
import { useEffect } from 'react';

/** The page's one h1, also the document title. */
export function PageTitle({ children }: { children: string }) {
  useEffect(() => {
    document.title = `${children} · YMERA`;
  }, [children]);
  return (
    <Title order={1} mb="lg">
      {children}
    </Title>
  );
}
