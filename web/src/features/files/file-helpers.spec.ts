import { ApiError, UnreachableError } from '../../api/errors';
import {
  downloadName,
  exactBytes,
  failureText,
  formatBytes,
  noFilesTitle,
  ownFilesNote,
  recordOfPointer,
  shortId,
  uploadContentType,
  uploadName,
  uploadRefusalHints,
} from './file-helpers';

describe('formatBytes', () => {
  it('says small sizes in bytes, grouped', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1023)).toBe('1,023 bytes');
  });

  it('says larger ones in binary units, one decimal below 10', () => {
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12 MiB');
    expect(formatBytes(1000 * 1024)).toBe('1,000 KiB');
    expect(formatBytes(1024 ** 3)).toBe('1.0 GiB');
    expect(formatBytes(5 * 1024 ** 5)).toBe('5,120 TiB');
  });

  it('says a value that rounds up to 1,024 in the next unit', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MiB');
    expect(formatBytes(9.97 * 1024)).toBe('10 KiB');
  });

  it('never shows a negative or missing size as a number it is not', () => {
    expect(formatBytes(Number.NaN)).toBe('0 bytes');
    expect(formatBytes(-5)).toBe('0 bytes');
  });

  it('gives the exact size for the hover text', () => {
    expect(exactBytes(1_258_291)).toBe('1,258,291 bytes');
    expect(exactBytes(1)).toBe('1 byte');
  });
});

describe('uploadContentType', () => {
  it('goes by the extension first: browsers give NDJSON files no type, or a wrong one', () => {
    expect(uploadContentType({ name: 'orders.ndjson', type: '' })).toBe('application/x-ndjson');
    expect(uploadContentType({ name: 'ORDERS.JSONL', type: 'application/octet-stream' })).toBe('application/x-ndjson');
    expect(uploadContentType({ name: 'orders.json', type: '' })).toBe('application/json');
  });

  it('sends anything else as the browser typed it, for the API to refuse in its own words', () => {
    expect(uploadContentType({ name: 'orders.csv', type: 'text/csv' })).toBe('text/csv');
    expect(uploadContentType({ name: 'records', type: 'application/json' })).toBe('application/json');
    expect(uploadContentType({ name: 'blob', type: '' })).toBe('application/octet-stream');
  });
});

describe('uploadName', () => {
  it('is the file’s own name, trimmed, none when blank', () => {
    expect(uploadName(' orders.ndjson ')).toBe('orders.ndjson');
    expect(uploadName('   ')).toBeUndefined();
  });

  it('leaves out the invisible and direction-changing characters the API refuses in a name', () => {
    expect(uploadName('zw\u200bname.ndjson')).toBe('zwname.ndjson');
    expect(uploadName('invoice\u202egpj.ndjson')).toBe('invoicegpj.ndjson');
    // Joiners that make an emoji or a script's letters stay.
    expect(uploadName('👩\u200d💻 notes.ndjson')).toBe('👩\u200d💻 notes.ndjson');
    expect(uploadName('\u200b\u200e')).toBeUndefined();
  });

  it('keeps at most 200 whole characters, never half an emoji', () => {
    const long = `${'a'.repeat(199)}😀😀.json`;
    const name = uploadName(long);
    expect(Array.from(name ?? '')).toHaveLength(200);
    expect(name?.endsWith('😀')).toBe(true);
  });
});

describe('downloadName', () => {
  const id = '11111111-1111-4111-8111-111111111111';
  it('ends in .ndjson, since the content is served as NDJSON', () => {
    expect(downloadName({ id, name: 'orders.ndjson' })).toBe('orders.ndjson');
    expect(downloadName({ id, name: 'orders.jsonl' })).toBe('orders.jsonl');
    expect(downloadName({ id, name: 'orders.json' })).toBe('orders.ndjson');
    expect(downloadName({ id, name: 'orders' })).toBe('orders.ndjson');
    expect(downloadName({ id, name: '  ' })).toBe(`${id}.ndjson`);
  });
});

describe('the refusals of an upload', () => {
  const refusal = (status: number, code: string, details: { field?: string; message: string }[] = []) =>
    new ApiError(status, code, 'refused', 'req-1', details);

  it('names a bad record counted from 1', () => {
    expect(recordOfPointer('/0')).toBe(1);
    expect(recordOfPointer('/1233')).toBe(1234);
    expect(recordOfPointer('/')).toBeNull();
    expect(recordOfPointer('/name')).toBeNull();
    expect(
      uploadRefusalHints(
        refusal(400, 'VALIDATION_FAILED', [{ field: '/1233', message: 'every record must be a JSON object' }]),
      ),
    ).toEqual(['Record 1,234 (counted from 1, blank lines not counted): every record must be a JSON object']);
    expect(uploadRefusalHints(refusal(400, 'VALIDATION_FAILED', [{ field: '/name', message: 'too long' }]))).toEqual([
      '/name: too long',
    ]);
    expect(
      uploadRefusalHints(
        refusal(400, 'VALIDATION_FAILED', [{ field: '/', message: 'expected a JSON array of objects' }]),
      ),
    ).toEqual(['expected a JSON array of objects']);
  });

  it('says how to send a file of another type, naming what it was sent as', () => {
    const [hint] = uploadRefusalHints(refusal(415, 'UNSUPPORTED_MEDIA_TYPE'), 'text/csv');
    expect(hint).toMatch(/^It was sent as text\/csv: the console sends \.ndjson and \.jsonl files as NDJSON/);
  });

  it('says how to make room for a file too large, or over the quota', () => {
    expect(uploadRefusalHints(refusal(413, 'PAYLOAD_TOO_LARGE'))).toEqual([
      'Split the file into smaller ones, or delete files you no longer need when your quota is full.',
    ]);
  });

  it('adds nothing where the message says it all', () => {
    expect(uploadRefusalHints(refusal(403, 'FORBIDDEN'))).toEqual([]);
  });
});

describe('failureText', () => {
  it('keeps the API’s code and request id', () => {
    expect(failureText(new ApiError(409, 'CONFLICT', 'The file is in use', 'req-9'), 'x')).toBe(
      'The file is in use (CONFLICT, request req-9)',
    );
    expect(failureText(new ApiError(500, 'INTERNAL', 'Broke', undefined), 'x')).toBe('Broke (INTERNAL)');
  });

  it('says no answer in words, and falls back for what has no message', () => {
    expect(failureText(new UnreachableError(), 'x')).toMatch(/^Could not reach the YMERA API/);
    expect(failureText(null, 'The download failed')).toBe('The download failed');
  });
});

describe('whose files are shown', () => {
  it('says none exist to an admin, none that you can see to others, and why', () => {
    expect(noFilesTitle({ role: 'admin' })).toBe('No files yet');
    expect(noFilesTitle({ role: 'viewer' })).toBe('No files that you can see yet');
    expect(ownFilesNote({ role: 'admin' })).toBeNull();
    expect(ownFilesNote({ role: 'operator' })).toMatch(/admins see every file/);
  });

  it('cuts a long id to its start', () => {
    expect(shortId('11111111-1111-4111-8111-111111111111')).toBe('11111111…');
    expect(shortId('short')).toBe('short');
  });
});
