import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { FileStorage } from './file-storage';

describe('FileStorage.publish', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ymera-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const storage = new FileStorage({ files: { dir } } as AppConfig);
  const finished = async (text: string): Promise<string> => {
    await storage.ensure();
    const temp = storage.tempPath();
    writeFileSync(temp, text);
    return temp;
  };
  const stored = () => readdirSync(dir).filter((name) => name.endsWith('.ndjson'));

  it('moves the file into place under a new id and gives back what registering it gave', async () => {
    const temp = await finished('{"a":1}\n');
    const ids: string[] = [];
    const row = await storage.publish(temp, async (id) => {
      ids.push(id);
      return { id, registered: true };
    });
    expect(row).toEqual({ id: ids[0], registered: true });
    expect(readFileSync(storage.pathOf(ids[0]), 'utf8')).toBe('{"a":1}\n');
    expect(existsSync(temp)).toBe(false);
  });

  it('removes the bytes when registering fails, and passes the failure on', async () => {
    const before = stored();
    const temp = await finished('{"b":2}\n');
    let published = '';
    const failure = new Error('no row');
    await expect(
      storage.publish(temp, (id) => {
        published = storage.pathOf(id);
        return Promise.reject(failure);
      }),
    ).rejects.toBe(failure);
    expect(existsSync(published)).toBe(false);
    expect(existsSync(temp)).toBe(false);
    expect(stored()).toEqual(before);
  });

  it('registers nothing when the file cannot be moved into place, and says the storage failed (503), not a 500', async () => {
    const register = jest.fn();
    await expect(storage.publish(join(dir, 'tmp', 'missing'), register)).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'File storage is not available (FILES_DIR: ENOENT, the directory is gone)',
    });
    expect(register).not.toHaveBeenCalled();
  });
});
