import type { BatchClock } from './event-batches';
import type { SseChunk } from './sse-response';
import { type ChunkWriter, type ListenToAll, type ListenToRoom, SseRooms } from './sse-rooms';

/** A stream that records the chunks it is written (and, for `failing`, throws instead). */
class RecordedStream implements ChunkWriter {
  readonly chunks: SseChunk[] = [];
  constructor(private readonly failing = false) {}
  write(chunk: SseChunk): void {
    if (this.failing) throw new Error('socket gone');
    this.chunks.push(chunk);
  }
  get texts(): string[] {
    return this.chunks.map((chunk) => chunk.text);
  }
}

/** Rooms listened to, each with the function its frames go to: `publish` plays the fanout. */
class FakeFanout {
  readonly listening = new Map<string, (frame: string, event: { updatedAt: string }) => void>();
  readonly listen: ListenToRoom = (room, onFrame) => {
    if (this.listening.has(room)) throw new Error(`${room} listened to twice`);
    this.listening.set(room, onFrame);
    return () => this.listening.delete(room);
  };
  /** Publishes `frame`, of an event written just now. */
  publish(room: string, frame: string): void {
    this.listening.get(room)?.(frame, { updatedAt: new Date().toISOString() });
  }
  /** The resyncs' listener, while there is one. */
  toAll?: (frame: string) => void;
  readonly listenToAll: ListenToAll = (onFrame) => {
    if (this.toAll) throw new Error('every room listened to twice');
    this.toAll = onFrame;
    return () => (this.toAll = undefined);
  };
}

/** Windows that end when the test says (every room has its own). */
class ManualClock implements BatchClock {
  private pending: { run: () => void; cancelled: boolean }[] = [];
  now = (): number => 0;
  schedule(run: () => void): () => void {
    const window = { run, cancelled: false };
    this.pending.push(window);
    return () => (window.cancelled = true);
  }
  /** Ends every window open now. */
  endWindow(): void {
    const open = this.pending;
    this.pending = [];
    for (const window of open) if (!window.cancelled) window.run();
  }
}

describe('SseRooms', () => {
  const setUp = () => {
    const fanout = new FakeFanout();
    const clock = new ManualClock();
    const errors: string[] = [];
    const rooms = new SseRooms(
      100,
      fanout.listen,
      fanout.listenToAll,
      (room, err) => errors.push(`${room}: ${err.message}`),
      clock,
    );
    return { fanout, clock, errors, rooms };
  };

  it("writes a room's frames of a window as one chunk, the same one to each of its streams", () => {
    const { fanout, clock, rooms } = setUp();
    const [a, b, other] = [new RecordedStream(), new RecordedStream(), new RecordedStream()];
    rooms.join('agent:1:all', a);
    rooms.join('agent:1:all', b);
    rooms.join('agent:2:all', other);
    fanout.publish('agent:1:all', 'f1');
    fanout.publish('agent:1:all', 'f2');
    fanout.publish('agent:2:all', 'g1');
    expect(a.chunks).toEqual([]);
    clock.endWindow();
    expect(a.texts).toEqual(['f1f2']);
    expect(b.chunks[0]).toBe(a.chunks[0]);
    expect(other.texts).toEqual(['g1']);
  });

  it('listens to a room once while it has streams, and no longer once the last leaves', () => {
    const { fanout, clock, rooms } = setUp();
    const [a, b] = [new RecordedStream(), new RecordedStream()];
    const leaveA = rooms.join('agent:1:all', a);
    const leaveB = rooms.join('agent:1:all', b);
    expect([...fanout.listening.keys()]).toEqual(['agent:1:all']);
    fanout.publish('agent:1:all', 'f1');
    leaveA();
    leaveA();
    expect(rooms.size).toBe(1);
    leaveB();
    expect(fanout.listening.size).toBe(0);
    expect(rooms.size).toBe(0);
    // What waited for the room is dropped with it.
    clock.endWindow();
    expect([a.chunks, b.chunks]).toEqual([[], []]);
    rooms.join('agent:1:all', a);
    expect([...fanout.listening.keys()]).toEqual(['agent:1:all']);
  });

  it('gives a stream that joins while a window is open only what came after it joined', () => {
    const { fanout, clock, rooms } = setUp();
    const [early, late] = [new RecordedStream(), new RecordedStream()];
    rooms.join('agent:1:all', early);
    fanout.publish('agent:1:all', 'f1');
    rooms.join('agent:1:all', late);
    fanout.publish('agent:1:all', 'f2');
    clock.endWindow();
    expect(early.texts).toEqual(['f1f2']);
    expect(late.texts).toEqual(['f2']);
    fanout.publish('agent:1:all', 'f3');
    clock.endWindow();
    expect(late.texts).toEqual(['f2', 'f3']);
    expect(late.chunks[1]).toBe(early.chunks[1]);
  });

  it('writes nothing to a stream that joined after every frame of the window', () => {
    const { fanout, clock, rooms } = setUp();
    const [early, late] = [new RecordedStream(), new RecordedStream()];
    rooms.join('agent:1:all', early);
    fanout.publish('agent:1:all', 'f1');
    rooms.join('agent:1:all', late);
    clock.endWindow();
    expect(late.chunks).toEqual([]);
    fanout.publish('agent:1:all', 'f2');
    clock.endWindow();
    expect(late.texts).toEqual(['f2']);
  });

  it('sends a resync to every room, after what each was sent before', () => {
    const { fanout, clock, rooms } = setUp();
    const [a, b] = [new RecordedStream(), new RecordedStream()];
    expect(fanout.toAll).toBeUndefined();
    rooms.join('agent:1:all', a);
    const leaveB = rooms.join('agent:2:user:u', b);
    fanout.publish('agent:1:all', 'f1');
    fanout.toAll?.('resync');
    clock.endWindow();
    expect(a.texts).toEqual(['f1resync']);
    expect(b.texts).toEqual(['resync']);
    // Listened to while any room has a stream, and no longer once none has.
    leaveB();
    expect(fanout.toAll).toBeDefined();
    rooms.stop();
    expect(fanout.toAll).toBeUndefined();
  });

  it('reads nothing for every room once the last stream leaves', () => {
    const { fanout, rooms } = setUp();
    const leave = rooms.join('agent:1:all', new RecordedStream());
    expect(fanout.toAll).toBeDefined();
    leave();
    expect(fanout.toAll).toBeUndefined();
    expect(fanout.listening.size).toBe(0);
  });

  it("does not let one stream's failure cost the others their frames", () => {
    const { fanout, clock, errors, rooms } = setUp();
    const [broken, fine] = [new RecordedStream(true), new RecordedStream()];
    rooms.join('agent:1:all', broken);
    rooms.join('agent:1:all', fine);
    fanout.publish('agent:1:all', 'f1');
    clock.endWindow();
    expect(fine.texts).toEqual(['f1']);
    expect(errors).toEqual(['agent:1:all: socket gone']);
  });

  it('drops what waits when stopped', () => {
    const { fanout, clock, rooms } = setUp();
    const stream = new RecordedStream();
    rooms.join('agent:1:all', stream);
    fanout.publish('agent:1:all', 'f1');
    rooms.stop();
    clock.endWindow();
    expect(stream.chunks).toEqual([]);
  });
});
