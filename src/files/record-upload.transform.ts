import { Transform, type TransformCallback } from 'node:stream';
import { findBadValue, MAX_JSON_DEPTH } from '../common/http/input-guard';
import { FileContentError, FileTooLargeError } from './files.errors';

export type UploadFormat = 'ndjson' | 'json-array';

/** The longest record accepted (one line, or one element of an array). */
export const MAX_RECORD_BYTES = 1024 * 1024;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/**
 * Whether `value` holds objects or arrays more than `levels` deep. Its recursion stops at that depth, so a
 * record nested 100,000 levels deep (which JSON.parse takes) is answered without exhausting the stack.
 */
function nestedDeeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) return value.some((item) => nestedDeeperThan(item, levels - 1));
  for (const key in value) if (nestedDeeperThan((value as Record<string, unknown>)[key], levels - 1)) return true;
  return false;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/**
 * Turns an upload into the NDJSON it is stored as, one record at a time: NDJSON lines, or the elements of a
 * JSON array (split by a small scanner that tracks strings and nesting; each element is then `JSON.parse`d,
 * so nothing invalid gets through). Every record must be a JSON object. Refuses more than `maxBytes` of
 * input with {@link FileTooLargeError} and anything else with {@link FileContentError}, as soon as it is seen.
 * Memory: one record and one incoming chunk.
 */
export class RecordUploadTransform extends Transform {
  records = 0;
  private received = 0;
  /** Strict: bytes that are not UTF-8 are refused, not replaced (a byte-order mark is dropped at the start only). */
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** The bytes of the last chunk after its last ASCII byte, decoded with the next chunk. */
  private tail = Buffer.alloc(0);
  private atStart = true;
  private pending = '';
  // JSON array scanning state.
  private started = false;
  private ended = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private afterComma = false;

  constructor(
    private readonly format: UploadFormat,
    private readonly maxBytes: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.maxBytes) return done(new FileTooLargeError(this.maxBytes));
    try {
      const text = this.decode(chunk);
      const out = this.format === 'ndjson' ? this.lines(text, false) : this.elements(text);
      done(null, out.length ? out : undefined);
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      const text = this.decode();
      if (this.format === 'ndjson') return done(null, this.lines(text, true) || undefined);
      const out = this.elements(text);
      if (!this.started) throw new FileContentError('expected a JSON array of objects');
      if (!this.ended) throw new FileContentError('the JSON array is not closed', this.records);
      done(null, out || undefined);
    } catch (err) {
      done(err as Error);
    }
  }

  /**
   * The text of the next bytes (none: the end). The bytes after the chunk's last ASCII byte, which may be part
   * of a character the next chunk ends, wait for it: what is decoded always ends on a character, and each piece
   * is decoded on its own. Refuses what is not UTF-8, naming its record.
   */
  private decode(chunk?: Buffer): string {
    let bytes = chunk ? (this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk) : this.tail;
    if (chunk) {
      let cut = bytes.length;
      while (cut > 0 && bytes[cut - 1] >= 0x80) cut -= 1;
      this.tail = Buffer.from(bytes.subarray(cut));
      bytes = bytes.subarray(0, cut);
      if (this.tail.length > MAX_RECORD_BYTES)
        throw new FileContentError(`a record is longer than ${MAX_RECORD_BYTES} bytes`, this.records);
    }
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      throw this.notUtf8(bytes);
    }
    if (this.atStart && text.length) {
      this.atStart = false;
      if (text.startsWith('\ufeff')) text = text.slice(1);
    }
    return text;
  }

  /**
   * The refusal of bytes that are not UTF-8, naming their record: they are read again a line at a time (a line
   * break is never inside a character), the lines before the one that is not UTF-8 counted as records, so the
   * refusal names that line's record (or the earlier problem found meanwhile).
   */
  private notUtf8(bytes: Buffer): FileContentError {
    let start = 0;
    try {
      while (start < bytes.length) {
        const end = bytes.indexOf(0x0a, start);
        const stop = end === -1 ? bytes.length : end + 1;
        const text = this.decoder.decode(bytes.subarray(start, stop));
        if (this.format === 'ndjson') this.lines(text, false);
        else this.elements(text);
        start = stop;
      }
    } catch (err) {
      if (err instanceof FileContentError) return err;
    }
    return new FileContentError('the content is not valid UTF-8', this.records);
  }

  private lines(text: string, last: boolean): string {
    let out = '';
    let start = 0;
    const all = this.pending + text;
    for (let i = all.indexOf('\n'); i !== -1; i = all.indexOf('\n', start)) {
      out += this.line(all.slice(start, i));
      start = i + 1;
    }
    this.pending = all.slice(start);
    if (last) {
      out += this.line(this.pending);
      this.pending = '';
    } else if (this.pending.length > MAX_RECORD_BYTES) {
      throw new FileContentError(`a record is longer than ${MAX_RECORD_BYTES} bytes`, this.records);
    }
    return out;
  }

  private line(raw: string): string {
    const text = raw.trim();
    return text === '' ? '' : this.record(text);
  }

  /** One record's text, checked, as its stored line. */
  private record(text: string): string {
    // Its UTF-8 length: counted only when its UTF-16 length leaves it in doubt (a unit is 1 to 3 bytes).
    if (
      text.length > MAX_RECORD_BYTES ||
      (text.length * 3 > MAX_RECORD_BYTES && Buffer.byteLength(text) > MAX_RECORD_BYTES)
    )
      throw new FileContentError(`a record is longer than ${MAX_RECORD_BYTES} bytes`, this.records);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new FileContentError('a record is not valid JSON', this.records);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new FileContentError('every record must be a JSON object', this.records);
    // As a request body is: what processes a record (sorting, grouping, storing an output) recurses into it.
    if (nestedDeeperThan(value, MAX_JSON_DEPTH))
      throw new FileContentError(`a record is nested more than ${MAX_JSON_DEPTH} levels deep`, this.records);
    // As in a request body: a number beyond a double would be read as null, text Postgres cannot store refused later.
    const bad = findBadValue(value);
    if (bad) throw new FileContentError(`a record's value at ${bad.field} ${bad.message}`, this.records);
    this.records += 1;
    // A record that arrived on one line is stored as it came; one from an array may span lines.
    return (this.format === 'ndjson' ? text : JSON.stringify(value)) + '\n';
  }

  private elements(text: string): string {
    let out = '';
    let start = 0;
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (this.ended) {
        if (!isSpace(code)) throw new FileContentError('unexpected text after the JSON array');
        continue;
      }
      if (!this.started) {
        if (isSpace(code)) continue;
        if (code !== OPEN_BRACKET) throw new FileContentError('expected a JSON array of objects');
        this.started = true;
        start = i + 1;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (code === BACKSLASH) this.escaped = true;
        else if (code === QUOTE) this.inString = false;
        continue;
      }
      if (code === QUOTE) this.inString = true;
      else if (code === OPEN_BRACE || code === OPEN_BRACKET) this.depth += 1;
      else if ((code === CLOSE_BRACE || code === CLOSE_BRACKET) && this.depth > 0) this.depth -= 1;
      else if (this.depth === 0 && (code === COMMA || code === CLOSE_BRACKET)) {
        const element = (this.pending + text.slice(start, i)).trim();
        this.pending = '';
        start = i + 1;
        if (element === '') {
          // `[]` is an empty file; `[,` and `[{…},]` are not JSON.
          if (code === COMMA || this.afterComma)
            throw new FileContentError('an array element is missing', this.records);
        } else {
          out += this.record(element);
        }
        this.afterComma = code === COMMA;
        if (code === CLOSE_BRACKET) this.ended = true;
      }
    }
    if (this.started && !this.ended) {
      this.pending += text.slice(start);
      if (this.pending.length > MAX_RECORD_BYTES)
        throw new FileContentError(`a record is longer than ${MAX_RECORD_BYTES} bytes`, this.records);
    }
    return out;
  }
}
