import { agoMs, type BatchClock, type BatchWindows, EventBatches, TIMERS } from './event-batches';
import { SseChunk } from './sse-response';

/** A stream of a room: what it is written (an `SseResponse`). */
export interface ChunkWriter {
  write(chunk: SseChunk): void;
}

/** Starts listening to a room's frames, each with the event it is made of; returns what stops it. */
export type ListenToRoom = (room: string, onFrame: (frame: string, event: { updatedAt: string }) => void) => () => void;
/** Starts listening to the frames for every room (a resync); returns what stops it. */
export type ListenToAll = (onFrame: (frame: string) => void) => () => void;

/**
 * Event streams by room (an agent's, as a console page of the agent follows it), their frames gathered per room
 * and written at most once per `windowMs` (see {@link EventBatches}, which also stretches a window whose writes
 * took long): one chunk a window, made once for the room and written to each of its streams, each frame still
 * an event of its own. The cost of an event is one per room, whatever the room's readers; what remains per
 * reader is one write a window. A room is listened to (`listen`) while it has a stream, once, whatever their
 * number, and what goes to every room (`listenToAll`) while any room has one: with none, nothing is read. A stream gets what its room was sent from the moment it joined: one that joins while a window is
 * open skips that window's earlier frames.
 */
export class SseRooms {
  /** Each room's streams, with how many of the open window's frames each is to skip (joined after them). */
  private readonly rooms = new Map<string, { streams: Map<ChunkWriter, number>; stop: () => void }>();
  private readonly batches: EventBatches<string, string>;
  private stopListeningToAll?: () => void;

  /** `windows`: their length in milliseconds, or windows shared with the process's other batches. */
  constructor(
    windows: number | BatchWindows,
    private readonly listen: ListenToRoom,
    private readonly listenToAll: ListenToAll,
    private readonly onError: (room: string, err: Error) => void,
    clock: BatchClock = TIMERS,
  ) {
    this.batches = new EventBatches(windows, (room, frames) => this.write(room, frames), undefined, clock, onError);
  }

  /** `stream` gets `room`'s frames from now on, until the returned function is called. */
  join(room: string, stream: ChunkWriter): () => void {
    let entry = this.rooms.get(room);
    if (!entry) {
      if (this.rooms.size === 0) this.stopListeningToAll = this.listenToAll((frame) => this.toAll(frame));
      const streams = new Map<ChunkWriter, number>();
      entry = { streams, stop: () => undefined };
      this.rooms.set(room, entry);
      entry.stop = this.listen(room, (frame, event) => this.batches.add(room, frame, agoMs(event.updatedAt)));
    }
    const joined = entry;
    joined.streams.set(stream, this.batches.pending(room));
    return () => {
      if (!joined.streams.delete(stream) || joined.streams.size > 0 || this.rooms.get(room) !== joined) return;
      this.rooms.delete(room);
      joined.stop();
      this.batches.delete(room);
      if (this.rooms.size === 0) {
        this.stopListeningToAll?.();
        this.stopListeningToAll = undefined;
      }
    };
  }

  /** Sends `frame` to every stream of every room, after what each was sent before (a resync). */
  toAll(frame: string): void {
    for (const room of this.rooms.keys()) this.batches.add(room, frame);
  }

  /** Streams in all rooms. */
  get size(): number {
    let size = 0;
    for (const { streams } of this.rooms.values()) size += streams.size;
    return size;
  }

  /** Drops what waits and stops listening to what goes to every room; the streams end with their connections. */
  stop(): void {
    this.batches.stop();
    this.stopListeningToAll?.();
    this.stopListeningToAll = undefined;
  }

  private write(room: string, frames: string[]): void {
    const streams = this.rooms.get(room)?.streams;
    if (!streams) return;
    let whole: SseChunk | undefined;
    for (const [stream, skip] of streams) {
      try {
        if (skip === 0) stream.write((whole ??= new SseChunk(frames.join(''))));
        else {
          streams.set(stream, 0);
          if (skip < frames.length) stream.write(new SseChunk(frames.slice(skip).join('')));
        }
      } catch (err) {
        // One stream's failure does not cost the room's other streams their frames.
        this.onError(room, err as Error);
      }
    }
  }
}
