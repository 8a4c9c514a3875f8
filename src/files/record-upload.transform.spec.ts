import { Readable } from 'node:stream';
import { FileContentError, FileTooLargeError } from './files.errors';
import { RecordUploadTransform, type UploadFormat } from './record-upload.transform';

/** Sends `text` through a transform in pieces of `piece` bytes; the stored text and the record count. */
async function upload(format: UploadFormat, text: string | Buffer, piece = 7, max = 1_000_000) {
  const bytes = Buffer.from(text);
  const pieces = [];
  for (let i = 0; i < bytes.length; i += piece) pieces.push(bytes.subarray(i, i + piece));
  const transform = new RecordUploadTransform(format, max);
  let out = '';
  for await (const chunk of Readable.from(pieces).pipe(transform)) out += String(chunk);
  return { out, records: transform.records };
}

describe('RecordUploadTransform', () => {
  it('keeps NDJSON lines as they came, skipping blank lines, CRLF or not, whatever the pieces', async () => {
    const text = '{"a":1}\r\n\n{"b":"x\\ny"}\n  \n{"é":"ü"}';
    for (const piece of [1, 3, 7, 1000]) {
      expect(await upload('ndjson', text, piece)).toEqual({
        out: '{"a":1}\n{"b":"x\\ny"}\n{"é":"ü"}\n',
        records: 3,
      });
    }
  });

  it('turns a JSON array of objects into NDJSON, strings with brackets, commas and escapes included', async () => {
    const records = [{ a: 1, s: 'x],[{"' }, { nested: { list: [1, [2], { b: '\\' }] } }, {}];
    const text = `  [\n${records.map((r) => JSON.stringify(r, null, 2)).join(' ,\n')}\n]  \n`;
    for (const piece of [1, 2, 5, 64, 100_000]) {
      const { out, records: count } = await upload('json-array', text, piece);
      expect(count).toBe(3);
      expect(
        out
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l)),
      ).toEqual(records);
    }
    expect(await upload('json-array', '[]')).toEqual({ out: '', records: 0 });
    expect(await upload('json-array', ' [ ] ')).toEqual({ out: '', records: 0 });
  });

  it('refuses bytes that are not UTF-8 wherever the pieces split them, naming their record', async () => {
    const bytes = (...parts: (string | number[])[]) =>
      Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Uint8Array.from(p))));
    const invalid: [Buffer, UploadFormat, number][] = [
      [bytes('{"a":1}\n\n{"é":2}\n{"b":"', [0xff], '"}\n'), 'ndjson', 2],
      [bytes('{"a":"', [0xc3, 0x28], '"}\n'), 'ndjson', 0], // a lead byte without its continuation
      [bytes('{"a":"ü"}\n{"a":"', [0xed, 0xa0, 0x80], '"}\n'), 'ndjson', 1], // an encoded surrogate
      [bytes('{"a":"x"}\n{"b":"', [0xe2, 0x82]), 'ndjson', 1], // cut short at the end
      [bytes('[{"a":1},\n{"b":"', [0xfe], '"}]'), 'json-array', 1],
      // A character begun and not ended, then whole records: the error is the first record's.
      [bytes('{"a":"', [0xe2, 0x82], '("}\n{"b":1}\n{"c":2}\n{"d":3}\n'), 'ndjson', 0],
      [bytes([0x80], '{"a":1}\n{"b":2}\n{"c":3}\n'), 'ndjson', 0],
      [bytes('{"a":1}\n{"b":"', [0xf0, 0x9f], '"}\n{"c":[}\n'), 'ndjson', 1], // not the later bad JSON
    ];
    for (const [content, format, record] of invalid) {
      for (const piece of [1, 2, 5, 8, 9, 10, 1000]) {
        const err = await upload(format, content, piece).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(FileContentError);
        expect((err as FileContentError).details).toEqual([
          { field: `/${record}`, message: 'the content is not valid UTF-8' },
        ]);
      }
    }
  });

  it('drops a leading byte-order mark, and keeps the same character anywhere else', async () => {
    expect(await upload('ndjson', '\ufeff{"a":"é"}\n', 1)).toEqual({ out: '{"a":"é"}\n', records: 1 });
    expect(await upload('json-array', '\ufeff[{"a":1}]', 2)).toEqual({ out: '{"a":1}\n', records: 1 });
    const inside = '{"a":"x"}\n{"b":"\ufeff\ufeffy€"}\n';
    for (const piece of [1, 2, 3, 12, 13, 14, 15, 100])
      expect(await upload('ndjson', inside, piece)).toEqual({ out: inside, records: 2 });
  });

  it.each([
    ['ndjson', '{"a":1}\n{"a":', /not valid JSON/],
    ['ndjson', '{"a":1}\n[1,2]\n', /must be a JSON object/],
    ['ndjson', 'null\n', /must be a JSON object/],
    ['json-array', '{"a":1}', /expected a JSON array/],
    ['json-array', '[{"a":1},]', /element is missing/],
    ['json-array', '[,{"a":1}]', /element is missing/],
    ['json-array', '[{"a":1}', /not closed/],
    ['json-array', '[{"a":1}] x', /after the JSON array/],
    ['json-array', '[{"a":1}, 2]', /must be a JSON object/],
    ['json-array', '[{"a" 1}]', /not valid JSON/],
    ['json-array', '', /expected a JSON array/],
  ] as const)('refuses bad %s content: %j', async (format, text, message) => {
    const refused = upload(format, text);
    await expect(refused).rejects.toBeInstanceOf(FileContentError);
    await expect(refused).rejects.toThrow(message);
  });

  it('names the record that is wrong', async () => {
    const err = await upload('ndjson', '{"a":1}\n{"a":2}\n{oops}\n').catch((e: FileContentError) => e);
    expect((err as FileContentError).details).toEqual([{ field: '/2', message: 'a record is not valid JSON' }]);
  });

  it('refuses a record holding a number beyond a double or text Postgres cannot store, as a request body is', async () => {
    for (const [format, text, field, message] of [
      ['ndjson', '{"a":1}\n{"amount":1e400,"k":"a"}\n', '/amount', 'is a number beyond what can be held'],
      ['json-array', '[{"a":1},{"n":{"x":[-1e309]}}]', '/n/x/0', 'is a number beyond what can be held'],
      ['ndjson', '{"a":1}\n{"s":"nul \\u0000 here"}\n', '/s', 'must not contain NUL characters'],
      ['ndjson', '{"a":1}\n{"s":"\\ud800"}\n', '/s', 'must not contain NUL characters or unpaired UTF-16 surrogates'],
    ] as const) {
      const err = await upload(format, text).catch((e: FileContentError) => e);
      expect(err).toBeInstanceOf(FileContentError);
      expect((err as FileContentError).details).toEqual([
        { field: '/1', message: expect.stringContaining(`a record's value at ${field} ${message}`) },
      ]);
    }
    // The largest double, and text with every other character, are taken.
    await expect(
      upload('ndjson', '{"n":1.7976931348623157e308,"s":"\\u0001 \\ud83d\\ude00"}\n'),
    ).resolves.toMatchObject({
      records: 1,
    });
  });

  it('takes records nested 64 levels deep and refuses deeper ones, however deep, in either format', async () => {
    const nested = (levels: number): string => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
    await expect(upload('ndjson', `${nested(64)}\n`, 4096)).resolves.toMatchObject({ records: 1 });
    for (const [format, text] of [
      ['ndjson', `{"a":1}\n${nested(65)}\n`],
      ['ndjson', `{"a":1}\n{"list":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`],
      ['json-array', `[{"a":1},${nested(200)}]`],
    ] as const) {
      const err = await upload(format, text, 4096).catch((e: FileContentError) => e);
      expect(err).toBeInstanceOf(FileContentError);
      expect((err as FileContentError).details).toEqual([
        { field: '/1', message: 'a record is nested more than 64 levels deep' },
      ]);
    }
  });

  it('refuses a record over 1 MiB of UTF-8 however it arrives, in either format, and takes one just under', async () => {
    const refused = async (format: UploadFormat, text: string, piece: number) =>
      upload(format, text, piece, 10_000_000).then(
        () => undefined,
        (err: unknown) => err,
      );
    const over = (value: string) => `{"v":"${value}"}`;
    const ascii = 'x'.repeat(1024 * 1024);
    // 700,000 characters of which a third are 3 bytes in UTF-8: 1.17 MB, though its UTF-16 length is under 1 MiB.
    const mixed = '€ab'.repeat(233_334);
    for (const piece of [4 * 1024 * 1024, 64 * 1024]) {
      for (const [format, text] of [
        [
          'ndjson',
          `${over(ascii)}
{"a":1}
`,
        ],
        [
          'ndjson',
          `{"a":1}
${over(mixed)}`,
        ],
        ['json-array', `[${over(mixed)}]`],
      ] as const) {
        expect(await refused(format, text, piece)).toEqual(
          expect.objectContaining({ message: expect.stringMatching(/a record is longer than 1048576 bytes/) }),
        );
      }
    }
    const under = over('€'.repeat(349_000));
    expect(Buffer.byteLength(under)).toBeLessThan(1024 * 1024);
    expect((await upload('ndjson', under, 4 * 1024 * 1024, 10_000_000)).records).toBe(1);
  });

  it('refuses more bytes than the limit as soon as they arrive', async () => {
    const line = JSON.stringify({ pad: 'x'.repeat(100) }) + '\n';
    await expect(upload('ndjson', line.repeat(10), 64, line.length * 10)).resolves.toMatchObject({ records: 10 });
    await expect(upload('ndjson', line.repeat(11), 64, line.length * 10)).rejects.toBeInstanceOf(FileTooLargeError);
  });
});
