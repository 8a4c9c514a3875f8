import { Button, Code, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useId, useRef } from 'react';
import { CopyValueButton } from '../../components/CopyValueButton';
import { type StoredFile, exactBytes, formatBytes, groupedNumber } from './file-helpers';

/**
 * The file just uploaded: what the API stored, and its id to copy, which is what a data-processor task's `file`
 * input takes. Its heading takes the focus, so the result is read out where the upload was.
 */
export function UploadedBox({ file, onDone }: { file: StoredFile; onDone: () => void }) {
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [file.id]);
  const input = JSON.stringify({ file: file.id });

  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby={titleId} className="file-uploaded">
      <Stack gap="sm">
        <Title order={2} size="h4" id={titleId} ref={heading} tabIndex={-1}>
          Uploaded “{file.name}”
        </Title>
        <Text size="sm">
          {groupedNumber(file.records)} {file.records === 1 ? 'record' : 'records'},{' '}
          <span title={exactBytes(file.sizeBytes)}>{formatBytes(file.sizeBytes)}</span> stored as NDJSON. A
          data-processor task reads it with <Code>{input}</Code> in its input.
        </Text>
        <TextInput
          label="File id"
          readOnly
          value={file.id}
          classNames={{ input: 'file-id-value' }}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
          autoComplete="off"
          maw={420}
        />
        <Group gap="sm">
          <CopyValueButton value={file.id} label="Copy id" />
          <CopyValueButton value={input} label="Copy task input" />
          <Button variant="default" onClick={onDone}>
            Done
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
