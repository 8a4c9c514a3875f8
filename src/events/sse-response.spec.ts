import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Response } from 'express';
import { type BatchClock, EventBatches } from './event-batches';
import { SseResponse, type SseWindow } from './sse-response';

/** What SseResponse uses of an express Response: writes are recorded, nothing is sent. */
class FakeResponse extends EventEmitter {
  writes: string[] = [];
  writableLength = 0;
  destroyed = false;
  status(): this {
    return this;
  }
  set(): this {
    return this;
  }
  flushHeaders(): void {}
  write(chunk: string): boolean {
    this.writes.push(chunk);
    return true;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

describe('SseResponse', () => {
  const open = (maxPending = 1_000_000) => {
    const res = new FakeResponse();
    const closed: string[] = [];
    const stream = new SseResponse(res as unknown as Response, maxPending, (reason) => closed.push(reason));
    stream.open();
    res.writes = [];
    return { res, stream, closed };
  };

  it('writes the frames of one turn together at its end, in order, each a frame of its own', async () => {
    const { res, stream } = open();
    stream.send('event: task\ndata: 1\n\n');
    stream.send('event: task\ndata: 2\n\n');
    expect(res.writes).toEqual([]);
    await nextTurn();
    expect(res.writes).toEqual(['event: task\ndata: 1\n\nevent: task\ndata: 2\n\n']);
    stream.send('event: task\ndata: 3\n\n');
    await nextTurn();
    expect(res.writes).toEqual(['event: task\ndata: 1\n\nevent: task\ndata: 2\n\n', 'event: task\ndata: 3\n\n']);
  });

  it('writes nothing more once the client is gone', async () => {
    const { res, stream, closed } = open();
    stream.send('event: task\ndata: 1\n\n');
    res.emit('close');
    await nextTurn();
    expect(res.writes).toEqual([]);
    expect(closed).toEqual(['client']);
  });

  it('lets go of a reader its earlier writes still wait for, with what waited for this turn', async () => {
    const { res, stream, closed } = open(1000);
    stream.send('event: task\ndata: 1\n\n');
    await nextTurn();
    res.writableLength = 8001; // beyond the hard bound: the reader has not taken the earlier writes
    stream.send('event: task\ndata: 2\n\n');
    expect(closed).toEqual(['slow']);
    expect(res.destroyed).toBe(true);
    await nextTurn();
    expect(res.writes).toEqual(['event: task\ndata: 1\n\n']);
  });

  it('writes the frames of a window together, once the window ends, and none of a stream gone meanwhile', () => {
    let endWindow = (): void => undefined;
    const clock: BatchClock = {
      now: () => 0,
      schedule: (run) => {
        endWindow = run;
        return () => undefined;
      },
    };
    const window: SseWindow = new EventBatches(50, (s, frames) => s.write(frames), undefined, clock);
    const [a, b] = [new FakeResponse(), new FakeResponse()];
    const streams = [a, b].map(
      (res) => new SseResponse(res as unknown as Response, 1_000_000, () => undefined, window),
    );
    streams[0].send('event: task\ndata: 1\n\n');
    streams[1].send('event: task\ndata: 1\n\n');
    streams[0].send('event: task\ndata: 2\n\n');
    b.emit('close');
    expect(a.writes).toEqual([]);
    endWindow();
    expect(a.writes).toEqual(['event: task\ndata: 1\n\nevent: task\ndata: 2\n\n']);
    expect(b.writes).toEqual([]);
  });
});
