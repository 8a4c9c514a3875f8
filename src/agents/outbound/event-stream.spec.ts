import { EventStreamParser, MAX_LINE_CHARS, serverSentEvents } from './event-stream';

/** Feeds the chunks one by one and collects every event. */
function parse(chunks: (string | Uint8Array)[]) {
  const parser = new EventStreamParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

describe('EventStreamParser', () => {
  it('dispatches an event on a blank line, its data lines joined with LF', () => {
    expect(parse(['data: one\n\ndata: two\ndata:  three\n\n'])).toEqual([
      { event: 'message', data: 'one' },
      { event: 'message', data: 'two\n three' },
    ]);
  });

  it('reads CRLF, LF and CR line ends, also a CRLF split between chunks', () => {
    expect(parse(['data: a\r\n\r\ndata: b\r', '\n\r', '\ndata: c\r\rdata: d\n\n'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
      { event: 'message', data: 'c' },
      { event: 'message', data: 'd' },
    ]);
  });

  it('keeps a line cut anywhere across chunks, and multi-byte characters cut between their bytes', () => {
    const bytes = new TextEncoder().encode('data: {"content":"héllo 🌍"}\n\n');
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(parse(chunks)).toEqual([{ event: 'message', data: '{"content":"héllo 🌍"}' }]);
  });

  it('reads a line that runs across thousands of chunks, and refuses one longer than 1 MB', () => {
    const piece = 'a'.repeat(512);
    const parser = new EventStreamParser();
    const events = [parser.push('data: ')];
    // Just under the bound, in 2,047 chunks: one event.
    for (let i = 0; i < MAX_LINE_CHARS / 512 - 1; i += 1) events.push(parser.push(piece));
    events.push(parser.push('\n\n'));
    const [event, ...more] = events.flat();
    expect(more).toEqual([]);
    expect(event.data).toHaveLength(MAX_LINE_CHARS - 512);
    // A server that never ends its line is cut off at the bound, not read to the response's 10 MB.
    const endless = new EventStreamParser();
    const push = () => {
      for (let i = 0; i <= MAX_LINE_CHARS / 512; i += 1) endless.push(piece);
    };
    expect(push).toThrow(expect.objectContaining({ code: 'RESPONSE_TOO_LARGE', retryable: false }));
  });

  it('takes event names, skips comments, ids, retries and unknown fields, and events without data', () => {
    expect(
      parse([': keep-alive\n\nevent: error\ndata: {"x":1}\nid: 7\nretry: 100\nfoo: bar\n\nevent: empty\n\ndata\n\n']),
    ).toEqual([
      { event: 'error', data: '{"x":1}' },
      { event: 'message', data: '' },
    ]);
  });

  it('drops an event the stream ended before its blank line', async () => {
    async function* body() {
      yield new TextEncoder().encode('data: whole\n\n');
      yield new TextEncoder().encode('data: cut');
    }
    const events = [];
    for await (const event of serverSentEvents(body())) events.push(event);
    expect(events).toEqual([{ event: 'message', data: 'whole' }]);
  });
});
