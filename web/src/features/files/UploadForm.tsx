import { Button, Group, Input, Paper, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type RefObject, useId, useRef, useState } from 'react';
import { ApiError } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { ErrorState } from '../../components/ErrorState';
import { useSingleFlight } from '../../components/use-single-flight';
import { uploadFile } from './file-api';
import {
  PICKER_ACCEPT,
  type StoredFile,
  exactBytes,
  formatBytes,
  uploadContentType,
  uploadRefusalHints,
} from './file-helpers';

interface Refusal {
  error: unknown;
  /** The Content-Type the refused upload was sent as, for the hint of a 415. */
  sentAs: string;
}

/**
 * Picks a file of records and uploads it. The API checks it record by record as it arrives and answers only once
 * it is stored; fetch says nothing of the bytes sent meanwhile, so the upload shows as under way with its size,
 * and "Stop upload" ends it (the API keeps nothing of an upload cut short). Refusals are said in the API's words,
 * with its code and what to do about them.
 */
export function UploadForm({
  picker,
  onUploaded,
}: {
  picker: RefObject<HTMLInputElement | null>;
  onUploaded: (file: StoredFile) => void;
}) {
  const queryClient = useQueryClient();
  const titleId = useId();
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [missing, setMissing] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [stopped, setStopped] = useState(false);
  const controller = useRef<AbortController | null>(null);
  const { busy, run } = useSingleFlight();

  const upload = (chosen: File) =>
    void run(async () => {
      setRefusal(null);
      setStopped(false);
      const abort = new AbortController();
      controller.current = abort;
      try {
        const stored = await uploadFile(chosen, abort.signal);
        await queryClient.invalidateQueries({ queryKey: queryKeys.files.all });
        setFile(null);
        if (picker.current) picker.current.value = '';
        onUploaded(stored);
      } catch (err) {
        if (abort.signal.aborted) setStopped(true);
        else setRefusal({ error: err, sentAs: uploadContentType(chosen) });
      } finally {
        controller.current = null;
      }
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file) {
      setMissing(true);
      picker.current?.focus();
      return;
    }
    upload(file);
  };

  const describedBy = [missing ? `${inputId}-error` : null, `${inputId}-description`].filter(Boolean).join(' ');
  const hints =
    refusal && refusal.error instanceof ApiError ? uploadRefusalHints(refusal.error, refusal.sentAs) : undefined;

  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby={titleId}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Title order={2} size="h4" id={titleId}>
            Upload a file
          </Title>
          <Input.Wrapper
            id={inputId}
            label="File of records"
            description="NDJSON (.ndjson or .jsonl: one JSON object per line) or JSON (.json: an array of objects), in UTF-8, uncompressed"
            error={missing ? 'Choose a file to upload' : undefined}
          >
            <input
              ref={picker}
              id={inputId}
              className="file-picker"
              type="file"
              accept={PICKER_ACCEPT}
              disabled={busy}
              aria-describedby={describedBy}
              aria-invalid={missing || undefined}
              onChange={(e) => {
                setFile(e.currentTarget.files?.[0] ?? null);
                setMissing(false);
                setRefusal(null);
                setStopped(false);
              }}
            />
          </Input.Wrapper>
          {file && !busy && (
            <Text size="sm" c="dimmed">
              <span title={exactBytes(file.size)}>{formatBytes(file.size)}</span>, sent as {uploadContentType(file)}
            </Text>
          )}
          <Group gap="sm">
            <Button type="submit" loading={busy}>
              Upload
            </Button>
            {busy && (
              <Button variant="default" onClick={() => controller.current?.abort()}>
                Stop upload
              </Button>
            )}
            <Text size="sm" role="status" className="file-upload-status">
              {busy && file
                ? `Uploading “${file.name}” (${formatBytes(file.size)}): the server checks each record as it arrives…`
                : stopped
                  ? 'The upload was stopped: nothing was kept.'
                  : ''}
            </Text>
          </Group>
          {refusal && (
            <ErrorState
              title="The file was not uploaded"
              error={refusal.error}
              details={hints}
              onRetry={file ? () => upload(file) : undefined}
            />
          )}
        </Stack>
      </form>
    </Paper>
  );
}
