import type { Socket } from 'node:net';
import type { Response } from 'express';
import { SlowReader } from './slow-reader';

const CRLF = Buffer.from('\r\n');

/**
 * Frames written together, made once for every stream they go to: their text, and the same bytes as one chunk
 * of a chunked HTTP body (`<size in hex>\r\n<bytes>\r\n`, as Node frames a `write`), made when first asked for.
 */
export class SseChunk {
  private encoded?: Buffer;
  private framed?: Buffer;

  constructor(readonly text: string) {}

  /** The text's bytes: what goes through Node's response, encoded once whatever the streams. */
  get body(): Buffer {
    return (this.encoded ??= Buffer.from(this.text));
  }

  get bytes(): Buffer {
    return (this.framed ??= Buffer.concat([
      Buffer.from(`${this.body.length.toString(16)}\r\n`, 'latin1'),
      this.body,
      CRLF,
    ]));
  }
}

/** What of Node's response a chunk written past it depends on (set by Node, not in its types). */
interface ResponseFraming {
  /** The body is sent in chunks (HTTP/1.1, no Content-Length): false for an HTTP/1.0 reader. */
  chunkedEncoding?: boolean;
  /** The response has a body at all: false for HEAD. */
  _hasBody?: boolean;
}

/**
 * The response's connection when a chunk may be written to it now, passing nothing: the headers are sent, the
 * body is chunked, nothing of the response waits (in Node's response or the socket) and the socket is not
 * corked (a write of Node's under way in this tick). Otherwise undefined, and the text goes through the response.
 */
function idleSocket(res: Response): Socket | undefined {
  const framing = res as unknown as ResponseFraming;
  if (!res.headersSent || res.writableEnded || framing.chunkedEncoding !== true || framing._hasBody !== true)
    return undefined;
  const socket = res.socket;
  if (!socket?.writable || socket.writableCorked !== 0 || res.writableCorked !== 0 || res.writableLength > 0)
    return undefined;
  return socket;
}

/**
 * A Server-Sent Events response written chunk by chunk, each chunk (a window's frames, see `SseRooms`) made once
 * for all its readers. A chunk goes straight to a connection with nothing waiting, as one write of bytes made
 * once; otherwise it goes through Node's response, after what waits there. A reader that falls behind is let go
 * rather than buffered without end, by the rule of {@link SlowReader} on the bytes waiting in this process for
 * it to read: its connection is closed at once, freeing what waited. `onClose` runs once, however the stream ends.
 */
export class SseResponse {
  private closed = false;
  private readonly rule: SlowReader;

  constructor(
    private readonly res: Response,
    maxPendingBytes: number,
    private readonly onClose: (reason: 'client' | 'slow') => void,
  ) {
    this.rule = new SlowReader(maxPendingBytes, Date.now, () => this.letGoIfBehind());
    res.once('close', () => this.finish('client'));
    // A connection's failure ends the stream ('close' follows); it is not the process's.
    res.on('error', () => undefined);
  }

  /** Sends the headers and a comment, so the client knows it is listening. */
  open(): void {
    this.head();
    this.res.flushHeaders();
    this.res.write(': listening\n\n');
  }

  /** Answers a HEAD request: the stream's headers, and the end, as there is no body to follow. */
  answerHead(): void {
    this.head();
    this.end();
  }

  /** Writes `chunk` after everything written before it, unless the reader is let go (see {@link SlowReader}). */
  write(chunk: SseChunk): void {
    // Ended (by `end`, or by Node) but not yet closed, while its last bytes leave: a write would fail.
    if (this.closed || this.res.writableEnded || !chunk.text || this.letGoIfBehind()) return;
    const socket = idleSocket(this.res);
    if (socket) socket.write(chunk.bytes);
    else this.res.write(chunk.body);
  }

  /** Ends the stream: nothing more is written to it from now on, though its last bytes may still be leaving. */
  end(): void {
    this.finish('client');
    this.res.end();
  }

  private head(): void {
    this.res.status(200);
    this.res.set({
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store, no-transform',
      Connection: 'keep-alive',
      // Proxies such as nginx would otherwise hold the frames back.
      'X-Accel-Buffering': 'no',
    });
  }

  /** Closes the stream when its reader is too far behind (see {@link SlowReader}); whether it did. */
  private letGoIfBehind(): boolean {
    if (this.closed || !this.rule.tooFarBehind(this.res.writableLength)) return false;
    this.finish('slow');
    this.res.destroy();
    return true;
  }

  private finish(reason: 'client' | 'slow'): void {
    if (this.closed) return;
    this.closed = true;
    this.rule.stop();
    this.onClose(reason);
  }
}
