import { Code, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { ListBody, ListSkeleton, RefreshFailed } from '../../components/ListBody';
import { Pager } from '../../components/Pager';
import { pageOfSearch, pageQuery, withPage } from '../../components/paging';
import { usersQuery } from '../users/user-api';
import { fileListQuery, useFilesWriteBlocked } from './file-api';
import { FILES_PAGE_SIZE, type StoredFile, noFilesTitle, ownFilesNote, shortId } from './file-helpers';
import { FileRow } from './FileRow';

const NO_NAMES: ReadonlyMap<string, string> = new Map();

/** The user's files (an admin's: everyone's), newest first, paged in the URL (`?page=`). */
export function FileList({
  emptyAction,
  onDeleted,
}: {
  emptyAction: ReactNode;
  onDeleted: (file: StoredFile) => void;
}) {
  const me = useMe();
  const blocked = useFilesWriteBlocked();
  const [search, setSearch] = useSearchParams();
  const page = pageOfSearch(search);
  const query = pageQuery(page, FILES_PAGE_SIZE);
  const files = useQuery(fileListQuery(query));
  // An admin sees everyone's files: uploaders by name where the users can be read (one page of a thousand, cached
  // a minute, as the audit log does), else by id.
  const canNameUsers = me.role === 'admin' && me.permissions.includes('users:manage');
  const users = useQuery({ ...usersQuery({ skip: 0, limit: 1000 }), enabled: canNameUsers, staleTime: 60_000 });
  const names = useMemo(
    () => (users.data ? new Map(users.data.items.map((u) => [u.id, u.name])) : NO_NAMES),
    [users.data],
  );
  const uploader = (id: string) => (id === me.id ? 'you' : (names.get(id) ?? shortId(id)));
  const goTo = (next: number) => setSearch(withPage(search, next));

  const total = files.data?.total ?? 0;
  const note = ownFilesNote(me);
  return (
    <ListBody
      query={files}
      loading={<ListSkeleton label="Loading files" rows={3} height={44} />}
      errorTitle="Could not load the files"
      keepLastLoaded
      count={(data) => data.items.length}
      pastTheEnd={{ page, total, noun: 'files', onFirst: () => goTo(1) }}
      empty={
        <EmptyState title={noFilesTitle(me)} action={emptyAction}>
          {blocked
            ? 'Operators and admins upload files here (or with POST /api/v1/files). '
            : 'Upload a file of records above. '}
          A data-processor task’s <Code>file</Code> input takes a file’s id, for inputs too big for a task’s JSON body.
          {note && ` ${note}`}
        </EmptyState>
      }
    >
      {({ items }) => (
        <Stack gap="sm">
          <RefreshFailed query={files} what="files" />
          {/* On a narrow screen the table scrolls sideways: which file and its size come first, so they stay in view. */}
          <Table.ScrollContainer minWidth={940}>
            <Table striped highlightOnHover aria-label="Files">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Size</Table.Th>
                  <Table.Th scope="col">Sent as</Table.Th>
                  <Table.Th scope="col">From</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">Id</Table.Th>
                  <Table.Th scope="col">Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((file) => (
                  <FileRow
                    key={file.id}
                    file={file}
                    uploader={uploader(file.createdBy)}
                    writeBlocked={blocked}
                    onDeleted={onDeleted}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={page} skip={query.skip} size={FILES_PAGE_SIZE} total={total} onPage={goTo} />
          <Text size="xs" c="dimmed">
            Files are stored as NDJSON whatever they were sent as; Download saves that content.
          </Text>
        </Stack>
      )}
    </ListBody>
  );
}
