import { createReadStream } from 'node:fs';

export type FileRecord = Record<string, unknown>;

/** Records read from a stored file, and the byte offset just after the last of them (where to read on from). */
export interface RecordChunk {
  records: FileRecord[];
  end: number;
}

const NEWLINE = 0x0a;

/**
 * Reads the NDJSON file at `path` from byte `from` (a line start: 0, or an `end` an earlier chunk gave) in
 * chunks of `size` records. Memory: one chunk of records and one read buffer (`highWaterMark`), whatever
 * the size of the file. Blank lines are skipped.
 */
export async function* readRecordChunks(path: string, from: number, size: number): AsyncGenerator<RecordChunk> {
  let records: FileRecord[] = [];
  let carry: Buffer | undefined;
  // The file offset of the first byte of `carry` (or of the next buffer when there is none).
  let offset = from;
  let end = from;
  for await (const read of createReadStream(path, { start: from, highWaterMark: 256 * 1024 })) {
    const buffer: Buffer = carry ? Buffer.concat([carry, read as Buffer]) : (read as Buffer);
    let start = 0;
    for (let nl = buffer.indexOf(NEWLINE); nl !== -1; nl = buffer.indexOf(NEWLINE, start)) {
      if (nl > start) {
        const text = buffer.toString('utf8', start, nl).trim();
        if (text !== '') records.push(JSON.parse(text) as FileRecord);
      }
      start = nl + 1;
      end = offset + start;
      if (records.length === size) {
        yield { records, end };
        records = [];
      }
    }
    carry = start < buffer.length ? buffer.subarray(start) : undefined;
    offset += start;
  }
  if (carry) {
    const text = carry.toString('utf8').trim();
    if (text !== '') records.push(JSON.parse(text) as FileRecord);
    end = offset + carry.length;
  }
  if (records.length > 0) yield { records, end };
}
