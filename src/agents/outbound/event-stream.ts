import { nonRetryable } from '../agent-type';

/** The longest line a stream may send: an event's `data:` line is a delta of a model's answer, not the answer. */
export const MAX_LINE_CHARS = 1024 * 1024;

/** One server-sent event: its `event:` name (`message` when it has none) and its `data:` lines, joined. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Parses a `text/event-stream` body as the HTML standard says: lines end in CRLF, LF or CR (a CRLF split
 * across two chunks counts once), `data:` lines are joined with LF, a blank line dispatches the event,
 * comments and unknown fields are skipped, and an event not closed by a blank line when the body ends is
 * dropped. `id:` and `retry:` are for reconnecting browsers and are ignored. Bytes are decoded as UTF-8
 * across chunk boundaries.
 */
export class EventStreamParser {
  private readonly decoder = new TextDecoder('utf-8');
  /** The line begun but not yet ended, in the pieces it came in: joined once, when it ends. */
  private pending: string[] = [];
  private pendingChars = 0;
  private skipLeadingLf = false;
  private event = '';
  private data: string[] = [];

  /**
   * The events completed by this chunk, in order. Only the chunk is scanned: a line that runs across many chunks
   * (a server that never ends one) costs its length once, not once per chunk.
   */
  push(chunk: Uint8Array | string): ServerSentEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i += 1) {
      const ch = text.charCodeAt(i);
      if (ch === 10 && this.skipLeadingLf && i === start) {
        this.skipLeadingLf = false;
        start = i + 1;
        continue;
      }
      this.skipLeadingLf = false;
      if (ch !== 10 && ch !== 13) continue;
      const rest = text.slice(start, i);
      const event = this.line(this.pending.length ? this.pending.join('') + rest : rest);
      this.pending = [];
      this.pendingChars = 0;
      if (event) events.push(event);
      start = i + 1;
      if (ch === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) {
            i += 1;
            start = i + 1;
          }
        } else {
          this.skipLeadingLf = true;
        }
      }
    }
    if (start < text.length) {
      this.pending.push(text.slice(start));
      this.pendingChars += text.length - start;
      if (this.pendingChars > MAX_LINE_CHARS)
        throw nonRetryable('RESPONSE_TOO_LARGE', 'The event stream sent a line longer than 1 MB');
    }
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') {
      const event = this.data.length ? { event: this.event || 'message', data: this.data.join('\n') } : undefined;
      this.event = '';
      this.data = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    return undefined;
  }
}

/** The events of a `text/event-stream` body as its chunks arrive. */
export async function* serverSentEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const parser = new EventStreamParser();
  for await (const chunk of body) yield* parser.push(chunk);
}
