import { EventBatches } from './event-batches';
import { SlowReader } from './slow-reader';
import type { Response } from 'express';

/** Frames waiting to be written, by stream: each stream's together, in one write. */
export type SseWindow = EventBatches<SseResponse, string>;

/** Streams whose frames are written at most once per `windowMs` (0: at the end of the event loop's turn). */
export function sseWindow(windowMs: number): SseWindow {
  return new EventBatches<SseResponse, string>(windowMs, (stream, frames) => stream.write(frames));
}

/** The frames of every stream not given a window of its own: written at the end of each turn. */
const EACH_TURN = sseWindow(0);

/**
 * A Server-Sent Events response written frame by frame, each frame made once for all its readers. The frames
 * a stream gets in one turn of the event loop (the events read from Redis together), or in one window of its
 * {@link SseWindow}, are written at its end in one write, one chunk of the response: a write costs a system call
 * and a TCP segment, for this process and for the reader, whatever its size. A reader that falls behind is let
 * go rather than buffered without end, by the rule of {@link SlowReader} on the bytes waiting in this process
 * for it to read: its connection is closed at once, freeing what waited. `onClose` runs once, however the
 * stream ends.
 */
export class SseResponse {
  private closed = false;
  private readonly rule: SlowReader;

  constructor(
    private readonly res: Response,
    maxPendingBytes: number,
    private readonly onClose: (reason: 'client' | 'slow') => void,
    private readonly window: SseWindow = EACH_TURN,
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

  /** Sends `frame` after those sent before it, at the end of this turn or window at the latest. */
  send(frame: string): void {
    if (this.closed || this.letGoIfBehind()) return;
    this.window.add(this, frame);
  }

  /** Writes the frames sent in this turn or window (see {@link send}), together. */
  write(frames: readonly string[]): void {
    if (!this.closed && frames.length) this.res.write(frames.join(''));
  }

  /** Closes the stream when its reader is too far behind (see {@link SlowReader}); whether it did. */
  private letGoIfBehind(): boolean {
    // What waits for the end of this turn or window is not behind: the reader has had no chance to take it yet.
    if (this.closed || !this.rule.tooFarBehind(this.res.writableLength)) return false;
    this.finish('slow');
    this.res.destroy();
    return true;
  }

  private finish(reason: 'client' | 'slow'): void {
    if (this.closed) return;
    this.closed = true;
    this.window.delete(this);
    this.rule.stop();
    this.onClose(reason);
  }
}
