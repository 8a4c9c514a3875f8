import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecordChunks, type RecordChunk } from './record-reader';

const dir = mkdtempSync(join(tmpdir(), 'ymera-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all(path: string, from: number, size: number): Promise<RecordChunk[]> {
  const chunks: RecordChunk[] = [];
  for await (const chunk of readRecordChunks(path, from, size)) chunks.push(chunk);
  return chunks;
}

describe('readRecordChunks', () => {
  // Records long enough that lines cross the reader's 256 KiB buffers.
  const records = Array.from({ length: 3000 }, (_, i) => ({ i, text: 'ü'.repeat(i % 300), last: i === 2999 }));
  const path = join(dir, 'records.ndjson');
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');

  it('reads every record in chunks of the size asked, each with the offset just after it', async () => {
    const chunks = await all(path, 0, 700);
    expect(chunks.map((c) => c.records.length)).toEqual([700, 700, 700, 700, 200]);
    expect(chunks.flatMap((c) => c.records)).toEqual(records);
    const bytes = Buffer.from(records.map((r) => JSON.stringify(r) + '\n').join(''));
    expect(chunks.at(-1)!.end).toBe(bytes.length);
  });

  it('reads on from where an earlier chunk ended', async () => {
    const [, second] = await all(path, 0, 1000);
    const rest = await all(path, second.end, 1000);
    expect(rest.flatMap((c) => c.records)).toEqual(records.slice(2000));
  });

  it('skips blank lines and reads a last line without a newline', async () => {
    const other = join(dir, 'blank.ndjson');
    writeFileSync(other, '{"a":1}\n\n  \r\n{"a":2}\r\n{"a":3}');
    const chunks = await all(other, 0, 2);
    expect(chunks.map((c) => c.records)).toEqual([[{ a: 1 }, { a: 2 }], [{ a: 3 }]]);
    expect(chunks[1].end).toBe(Buffer.byteLength('{"a":1}\n\n  \r\n{"a":2}\r\n{"a":3}'));
    expect(await all(other, chunks[0].end, 2)).toEqual([chunks[1]]);
  });

  it('gives nothing for an empty file', async () => {
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    expect(await all(empty, 0, 10)).toEqual([]);
  });
});
