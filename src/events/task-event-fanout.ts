import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { EventBus, type RunEvent, type TaskEvent, type TaskOutputDelta } from './event-bus';
import { runRoom, taskRoom, taskRooms } from './rooms';

/** Receives a task event of its room, with the event's SSE frame (made once, whoever receives it). */
export type TaskEventListener = (frame: string, event: TaskEvent) => void;

/** What a task's own stream carries: the task's events, and its running attempt's output deltas. */
export type TaskStreamEvent = TaskEvent | TaskOutputDelta;

/** A Server-Sent Events frame: the event's name, and its data as one JSON line (JSON has no raw newlines). */
export function sseFrame(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Listeners by room. What they listen to is read (`relay`) while any listens, and no longer once none does. */
class Rooms<L> {
  private readonly rooms = new Map<string, Set<L>>();
  private relays: Subscription[] = [];

  constructor(private readonly relay: () => Subscription[]) {}

  /** Adds `listener` to `room` until the returned function is called. */
  add(room: string, listener: L): () => void {
    let listeners = this.rooms.get(room);
    if (!listeners) this.rooms.set(room, (listeners = new Set()));
    listeners.add(listener);
    if (!this.relays.length) this.relays = this.relay();
    return () => {
      if (!listeners.delete(listener)) return;
      if (listeners.size === 0 && this.rooms.get(room) === listeners) this.rooms.delete(room);
      if (this.rooms.size === 0) this.stop();
    };
  }

  /** The listeners of `room`. One that leaves while called leaves the set; iterating a Set allows that. */
  in(room: string): Set<L> | undefined {
    return this.rooms.get(room);
  }

  get size(): number {
    let size = 0;
    for (const listeners of this.rooms.values()) size += listeners.size;
    return size;
  }

  /** Stops reading and forgets every listener; returns them. */
  clear(): L[] {
    this.stop();
    const all = [...this.rooms.values()].flatMap((listeners) => [...listeners]);
    this.rooms.clear();
    return all;
  }

  private stop(): void {
    for (const relay of this.relays.splice(0)) relay.unsubscribe();
  }
}

/** Sends `event` to the listeners of its room. */
function deliver<T>(rooms: Rooms<Subscriber<T>>, room: string, event: T): void {
  const listeners = rooms.in(room);
  if (listeners) for (const listener of listeners) listener.next(event);
}

/**
 * The events of this process's SSE streams, by room (the rooms of Socket.IO): an event is looked up in its
 * rooms and goes to their listeners only, so its cost is the event plus one delivery per listener that
 * receives it, however many streams follow other rooms. Three indexes, each reading the bus while anyone
 * listens to it:
 * - task events with their frame, serialized once, for the streams that write it as it is (an agent's,
 *   `agent:<id>:all`, `agent:<id>:user:<userId>`; also `task:<id>`);
 * - a task's stream (`task:<id>`): its events and output deltas;
 * - a run's stream (`run:<id>`): its events.
 */
@Injectable()
export class TaskEventFanout implements OnModuleDestroy {
  private readonly framed = new Rooms<TaskEventListener>(() => [
    this.events.events().subscribe((event) => this.route(event)),
  ]);
  private readonly tasks = new Rooms<Subscriber<TaskStreamEvent>>(() => [
    this.events.events().subscribe((event) => deliver(this.tasks, taskRoom(event.taskId), event)),
    this.events.outputDeltas().subscribe((delta) => deliver(this.tasks, taskRoom(delta.taskId), delta)),
  ]);
  private readonly runs = new Rooms<Subscriber<RunEvent>>(() => [
    this.events.runEvents().subscribe((event) => deliver(this.runs, runRoom(event.runId), event)),
  ]);

  constructor(private readonly events: EventBus) {}

  /** Resolves once events reach this process: a listener added after it misses nothing published later. */
  listening(): Promise<void> {
    return this.events.listening();
  }

  /** `listener` receives every task event of `room` from now on, until the returned function is called. */
  listen(room: string, listener: TaskEventListener): () => void {
    return this.framed.add(room, listener);
  }

  /** A task's events and its running attempt's output deltas, in the order they come, from subscription on. */
  followTask(taskId: string): Observable<TaskStreamEvent> {
    return new Observable((subscriber) => this.tasks.add(taskRoom(taskId), subscriber));
  }

  /** A run's events, in the order they come, from subscription on. */
  followRun(runId: string): Observable<RunEvent> {
    return new Observable((subscriber) => this.runs.add(runRoom(runId), subscriber));
  }

  /** When events may have been missed (see {@link EventBus.resyncs}): streams read their resource again. */
  resyncs(): Observable<void> {
    return this.events.resyncs();
  }

  /** Listeners in all rooms. */
  get size(): number {
    return this.framed.size + this.tasks.size + this.runs.size;
  }

  private route(event: TaskEvent): void {
    let frame: string | undefined;
    for (const room of taskRooms(event)) {
      const listeners = this.framed.in(room);
      if (!listeners) continue;
      frame ??= sseFrame('task', event);
      for (const listener of listeners) listener(frame, event);
    }
  }

  /** The task and run streams end with the process, as the event bus's own subscribers do. */
  onModuleDestroy(): void {
    this.framed.clear();
    for (const subscriber of [...this.tasks.clear(), ...this.runs.clear()]) subscriber.complete();
  }
}
