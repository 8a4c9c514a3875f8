import { Badge, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { type ReactNode, useEffect, useId, useRef } from 'react';
import { CopyValueButton } from './CopyValueButton';
import './secret-once.css';

/**
 * A secret right after it is made, the only time it is shown (an API key, a webhook's signing secret,
 * recovery codes): set apart, its heading focused, a warning in words, the value (`children`), a copy button
 * and "Done", which forgets it. With `fieldLabel`, the value is shown in a read-only field that selects it
 * whole; `children` add what else to say. It lives in the showing page's state and nowhere else.
 */
export function SecretOnce({
  title,
  headingOrder = 2,
  warning,
  copyValue,
  copyLabel,
  fieldLabel,
  doneLabel = 'Done, I have stored it',
  onDone,
  children,
}: {
  title: string;
  headingOrder?: 2 | 3;
  warning: string;
  copyValue: string;
  copyLabel: string;
  fieldLabel?: string;
  doneLabel?: string;
  onDone: () => void;
  children?: ReactNode;
}) {
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  return (
    <Paper className="secret-once" p="lg" radius="md" component="section" aria-labelledby={titleId}>
      <Stack gap="sm">
        <Group gap="sm">
          <Title order={headingOrder} size={headingOrder === 2 ? 'h4' : 'h5'} id={titleId} ref={heading} tabIndex={-1}>
            {title}
          </Title>
          <Badge color="yellow" variant="light" radius="sm">
            Shown once
          </Badge>
        </Group>
        <Text fw={600}>{warning}</Text>
        {fieldLabel && (
          <TextInput
            label={fieldLabel}
            readOnly
            value={copyValue}
            classNames={{ input: 'secret-value', label: 'secret-label' }}
            onFocus={(e) => e.currentTarget.select()}
            spellCheck={false}
            autoComplete="off"
          />
        )}
        {children}
        <Group>
          <CopyValueButton value={copyValue} label={copyLabel} />
          <Button variant="default" onClick={onDone}>
            {doneLabel}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
