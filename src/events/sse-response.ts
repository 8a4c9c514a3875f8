import { SlowReader } from './slow-reader';
import type { Response } from 'express';

/**
 * A Server-Sent Events response written frame by frame, each frame made once for all its readers. A reader
 * that falls behind is let go rather than buffered without end, by the rule of {@link SlowReader} on the bytes
 * waiting in this process for it to read: its connection is closed at once, freeing what waited.
 * `onClose` runs once, however the stream ends.
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
  }

  /** Sends the headers and a comment, so the client knows it is listening. */
  open(): void {
    this.res.status(200);
    this.res.set({
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Proxies such as nginx would otherwise hold the frames back.
      'X-Accel-Buffering': 'no',
    });
    this.res.flushHeaders();
    this.res.write(': listening\n\n');
  }

  send(frame: string): void {
    if (this.closed || this.letGoIfBehind()) return;
    this.res.write(frame);
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
