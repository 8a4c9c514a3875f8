import { Code, Text, UnstyledButton } from '@mantine/core';
import { useId, useState } from 'react';
import { jsonText } from './json-text';

/** JSON as text (never HTML; direction controls shown as escapes), collapsible; long values scroll inside the box. */
export function JsonView({ value, label, collapsed = false }: { value: unknown; label: string; collapsed?: boolean }) {
  const [open, setOpen] = useState(!collapsed);
  const id = useId();
  const text = jsonText(value);
  return (
    <section aria-label={label}>
      <UnstyledButton aria-expanded={open} aria-controls={id} onClick={() => setOpen((o) => !o)}>
        <Text fw={600} size="sm">
          {/* The arrow shows whether it is open; aria-expanded says so to assistive technology. */}
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> {label}
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
