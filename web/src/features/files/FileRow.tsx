import { Anchor, Button, Code, Group, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyValueButton } from '../../components/CopyValueButton';
import { DisabledButton } from '../../components/DisabledButton';
import { TimeAgo } from '../../components/TimeAgo';
import { useSingleFlight } from '../../components/use-single-flight';
import { deleteFile, downloadFile } from './file-api';
import { type StoredFile, exactBytes, failureText, formatBytes, groupedNumber, shortId } from './file-helpers';

/** Who the file came from: an upload by someone (you, a named user, or an id), or a task's output. */
function Origin({ file, uploader }: { file: StoredFile; uploader: string }) {
  if (file.taskId) {
    return (
      <Text size="sm" className="nowrap">
        output of{' '}
        <Anchor component={Link} to={`/tasks/${file.taskId}`} title={file.taskId}>
          task {shortId(file.taskId)}
        </Anchor>
      </Text>
    );
  }
  return (
    <Text size="sm" className="truncate file-uploader" title={`Uploaded by ${uploader} (${file.createdBy})`}>
      {uploader}
    </Text>
  );
}

/**
 * One file: its name, size (exact bytes on hover) and records, type, origin, age and id with a copy button; Download,
 * and Delete, which asks once naming the file (disabled with the reason for those who may not).
 */
export function FileRow({
  file,
  uploader,
  writeBlocked,
  onDeleted,
}: {
  file: StoredFile;
  /** How to name who uploaded it: "you", a user's name, or their id cut short. */
  uploader: string;
  writeBlocked: string | null;
  onDeleted: (file: StoredFile) => void;
}) {
  const queryClient = useQueryClient();
  const download = useSingleFlight();
  const [downloadFailure, setDownloadFailure] = useState<string | null>(null);

  const remove = async () => {
    try {
      await deleteFile(file.id);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'NOT_FOUND'))
        throw new Error(failureText(err, 'Not deleted'), { cause: err });
      // Deleted meanwhile (another tab, an admin): the list catches up.
      await queryClient.invalidateQueries({ queryKey: queryKeys.files.all });
      throw new Error(`“${file.name}” was already deleted`, { cause: err });
    }
    await queryClient.invalidateQueries({ queryKey: queryKeys.files.all });
    onDeleted(file);
  };

  return (
    <Table.Tr>
      <Table.Th scope="row" fw={500}>
        <span className="truncate file-name" title={file.name}>
          {file.name}
        </span>
      </Table.Th>
      <Table.Td className="nowrap">
        <span title={exactBytes(file.sizeBytes)}>{formatBytes(file.sizeBytes)}</span>
        <Text size="xs" c="dimmed">
          {groupedNumber(file.records)} {file.records === 1 ? 'record' : 'records'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Code className="file-type">{file.uploadedAs}</Code>
      </Table.Td>
      <Table.Td>
        <Origin file={file} uploader={uploader} />
      </Table.Td>
      <Table.Td className="nowrap">
        <TimeAgo value={file.createdAt} />
      </Table.Td>
      <Table.Td>
        <Group gap={6} wrap="nowrap">
          <Code title={file.id}>{shortId(file.id)}</Code>
          <CopyValueButton value={file.id} label="Copy" aria-label={`Copy the id of ${file.name}`} size="compact-xs" />
        </Group>
      </Table.Td>
      <Table.Td>
        <Stack gap={4}>
          <Group gap="xs" wrap="nowrap">
            <Button
              size="xs"
              variant="default"
              loading={download.busy}
              aria-label={`Download ${file.name}`}
              onClick={() =>
                void download.run(async () => {
                  setDownloadFailure(null);
                  try {
                    await downloadFile(file);
                  } catch (err) {
                    setDownloadFailure(failureText(err, 'The download failed'));
                  }
                })
              }
            >
              Download
            </Button>
            {writeBlocked ? (
              <DisabledButton
                size="xs"
                color="red"
                variant="light"
                label="Delete"
                name={`Delete ${file.name}`}
                reason={writeBlocked}
              />
            ) : (
              <ConfirmButton
                size="xs"
                label={`Delete ${file.name}`}
                buttonText="Delete"
                consequence={`“${file.name}” (${formatBytes(file.sizeBytes)}, ${groupedNumber(file.records)} ${file.records === 1 ? 'record' : 'records'}) is deleted. An attempt already reading it finishes; a later attempt, or a task given its id from now on, fails with FILE_NOT_FOUND. This cannot be undone.`}
                confirmLabel="Delete the file"
                onConfirm={remove}
              />
            )}
          </Group>
          {downloadFailure && (
            <Text size="xs" c="red.8" role="alert">
              Not downloaded: {downloadFailure}
            </Text>
          )}
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}
