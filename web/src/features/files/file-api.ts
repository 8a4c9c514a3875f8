import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import { toApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { useMe } from '../../app/session';
import { type StoredFile, downloadName, uploadContentType, uploadName } from './file-helpers';

/** A page of the user's files (an admin's: everyone's), newest first. */
export const fileListQuery = (params: { skip: number; limit: number }) =>
  queryOptions({
    queryKey: queryKeys.files.list(params),
    queryFn: async (): Promise<{ items: StoredFile[]; total: number }> => {
      const result = await api.GET('/api/v1/files', { params: { query: params } });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: (previous) => previous,
  });

/**
 * Uploads a picked file as the API takes it: the raw body is the file (not multipart, not JSON), its
 * Content-Type saying NDJSON or a JSON array, its name as `?name=`. The generated client sends it, so the token
 * and its refresh are handled as for every call; the schema types the binary body as a string, so the File is
 * handed to fetch as it is through the body serializer (a Blob body is streamed from disk, never read whole).
 * Fetch reports no upload progress: the page shows the upload as under way, with a way to stop it (`signal`).
 */
export async function uploadFile(file: File, signal?: AbortSignal): Promise<StoredFile> {
  const name = uploadName(file.name);
  return unwrap(
    await api.POST('/api/v1/files', {
      params: { query: name ? { name } : {} },
      body: file as unknown as string,
      bodySerializer: (body) => body,
      headers: { 'Content-Type': uploadContentType(file) },
      signal,
    }),
  );
}

export async function deleteFile(id: string): Promise<void> {
  const result = await api.DELETE('/api/v1/files/{id}', { params: { path: { id } } });
  if (!result.response.ok) throw toApiError(result.error, result.response);
}

/**
 * Saves a file's content (`GET /files/:id/content`) under its name. The content needs the access token, which a
 * plain link cannot carry (the token lives in memory, and the session cookie is only for `/api/v1/auth`): it is
 * read through the client as a Blob, then handed to the browser's download from an object URL.
 */
export async function downloadFile(file: Pick<StoredFile, 'id' | 'name'>): Promise<void> {
  const result = await api.GET('/api/v1/files/{id}/content', {
    params: { path: { id: file.id } },
    parseAs: 'blob',
  });
  if (!result.response.ok) throw toApiError(result.error, result.response);
  // An empty file is answered with no body at all.
  const blob = result.data ?? new Blob([], { type: 'application/x-ndjson' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = downloadName(file);
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken the Blob by the time this runs; until then the URL must stay valid.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Why the signed-in user may not upload or delete files, or null when they may. */
export function useFilesWriteBlocked(): string | null {
  const me = useMe();
  return me.permissions.includes('files:write') ? null : 'Your role may not do this (needs files:write)';
}
