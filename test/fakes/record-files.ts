import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { AppConfig } from '../../src/config/app-config';
import { FileStorage } from '../../src/files/file-storage';
import type { FileRepository, NewFile, StoredFile } from '../../src/files/persistence/file.repository';
import { RecordFiles } from '../../src/files/record-files';

/** The `files` table in memory: the statements {@link RecordFiles} uses. */
class InMemoryFileRepository implements Pick<FileRepository, 'register' | 'findById'> {
  readonly rows = new Map<string, StoredFile>();

  async register(fields: Omit<NewFile, 'format'>): Promise<StoredFile> {
    const row: StoredFile = { ...fields, format: 'ndjson', createdAt: new Date() };
    this.rows.set(row.id, row);
    return row;
  }

  async findById(id: string): Promise<StoredFile | undefined> {
    return this.rows.get(id);
  }
}

/** Record files over a real directory with the table in memory; `add` stores records as an uploaded file. */
export function recordFiles(dir: string) {
  const storage = new FileStorage({ files: { dir } } as AppConfig);
  const repository = new InMemoryFileRepository();
  const files = new RecordFiles(repository as unknown as FileRepository, storage);
  return {
    files,
    storage,
    repository,
    add(records: object[], createdBy = 'user-1'): string {
      const id = randomUUID();
      const text = records.map((r) => JSON.stringify(r) + '\n').join('');
      writeFileSync(storage.pathOf(id), text);
      const row: StoredFile = {
        id,
        name: 'records.ndjson',
        format: 'ndjson',
        uploadedAs: 'application/x-ndjson',
        sizeBytes: Buffer.byteLength(text),
        records: records.length,
        sha256: '',
        taskId: null,
        createdBy,
        createdAt: new Date(),
      };
      repository.rows.set(id, row);
      return id;
    },
  };
}
