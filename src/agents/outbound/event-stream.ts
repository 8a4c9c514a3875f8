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
  private buffer = '';
  private skipLeadingLf = false;
  private event = '';
  private data: string[] = [];

  /** The events completed by this chunk, in order. */
  push(chunk: Uint8Array | string): ServerSentEvent[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i += 1) {
      const ch = this.buffer.charCodeAt(i);
      if (ch === 10 && this.skipLeadingLf && i === start) {
        this.skipLeadingLf = false;
        start = i + 1;
        continue;
      }
      this.skipLeadingLf = false;
      if (ch !== 10 && ch !== 13) continue;
      const event = this.line(this.buffer.slice(start, i));
      if (event) events.push(event);
      start = i + 1;
      if (ch === 13) {
        if (i + 1 < this.buffer.length) {
          if (this.buffer.charCodeAt(i + 1) === 10) {
            i += 1;
            start = i + 1;
          }
        } else {
          this.skipLeadingLf = true;
        }
      }
    }
    this.buffer = this.buffer.slice(start);
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
