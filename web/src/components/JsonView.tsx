import { Code, Text, UnstyledButton } from '@mantine/core';
import { useId, useState } from 'react';

/** JSON as text (never HTML), collapsible; long values scroll inside the box. */
export function JsonView({ value, label, collapsed = false }: { value: unknown; label: string; collapsed?: boolean }) {
  const [open, setOpen] = useState(!collapsed);
  const id = useId();
  const text = value === undefined ? 'undefined' : JSON.stringify(value, null, 2);
  return (
    <section aria-label={label}>
      <UnstyledButton aria-expanded={open} aria-controls={id} onClick={() => setOpen((o) => !o)}>
        <Text fw={600} size="sm">
          {open ? '▾' : '▸'} {label}
        </Text>
      </UnstyledButton>
      {open && (
        <Code block id={id} className="json-view">
          {text}
        </Code>
      )}
    </section>
  );
}
