import { Button, Code, Group, Stack, Text } from '@mantine/core';
import { useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useMe } from '../../app/session';
import { NeedsPermission } from '../../components/NeedsPermission';
import { Notice } from '../../components/Notice';
import { PageTitle } from '../../components/PageTitle';
import { withPage } from '../../components/paging';
import { FileList } from './FileList';
import { UploadForm } from './UploadForm';
import { UploadedBox } from './UploadedBox';
import { useFilesWriteBlocked } from './file-api';
import type { StoredFile } from './file-helpers';
import './files.css';

/** `/files`: files of records for inputs too big for a task's JSON body; upload, copy an id, download, delete. */
export function FilesPage() {
  const me = useMe();
  return (
    <NeedsPermission
      permission="files:read"
      page="Files"
      why={`Reading files needs the files:read permission, which your role (${me.role}) does not hold.`}
    >
      <Files admin={me.role === 'admin'} />
    </NeedsPermission>
  );
}

function Files({ admin }: { admin: boolean }) {
  const blocked = useFilesWriteBlocked();
  const [, setSearch] = useSearchParams();
  const [uploaded, setUploaded] = useState<StoredFile | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Files</PageTitle>
        {blocked && (
          <Text size="sm" c="dimmed" maw={320}>
            Uploading and deleting files needs the files:write permission.
          </Text>
        )}
      </Group>
      <Text maw={760}>
        Files of records, for inputs too big for a task’s JSON body: NDJSON (one JSON object per line) or a JSON array
        of objects, checked record by record as they arrive and stored as NDJSON. A data-processor task reads one with{' '}
        <Code>{'{"file": "<id>"}'}</Code> in its input: copy the id from here.
        {admin && ' As an admin you see, and may delete, everyone’s files.'}
      </Text>
      {!blocked && (
        <UploadForm
          picker={picker}
          onUploaded={(file) => {
            setNotice(null);
            setUploaded(file);
            // Newest first: the new file heads the first page.
            setSearch((current) => withPage(current, 1));
          }}
        />
      )}
      {uploaded && (
        <UploadedBox
          file={uploaded}
          onDone={() => {
            setUploaded(null);
            setTimeout(() => picker.current?.focus());
          }}
        />
      )}
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
      <FileList
        emptyAction={
          blocked ? null : (
            <Button variant="default" onClick={() => picker.current?.click()}>
              Choose a file to upload
            </Button>
          )
        }
        onDeleted={(file) => {
          if (uploaded?.id === file.id) setUploaded(null);
          setNotice(`Deleted “${file.name}”: a task given its id from now on fails with FILE_NOT_FOUND.`);
        }}
      />
    </Stack>
  );
}
