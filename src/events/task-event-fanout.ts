import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { EventBus, type TaskEvent } from './event-bus';
import { taskRooms } from './rooms';

/** Receives a task event of its room, with the event's SSE frame (made once, whoever receives it). */
export type TaskEventListener = (frame: string, event: TaskEvent) => void;

/** A Server-Sent Events frame: the event's name, and its data as one JSON line (JSON has no raw newlines). */
export function sseFrame(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The task events of this process's SSE streams, by room (the rooms of Socket.IO: `task:<id>`,
 * `agent:<id>:all`, `agent:<id>:user:<userId>`). An event is looked up in its three rooms and goes to their
 * listeners only, serialized once: its cost is the event plus one write per listener that receives it, however
 * many streams follow other rooms. The bus is read once, while anyone listens.
 */
@Injectable()
export class TaskEventFanout implements OnModuleDestroy {
  private readonly rooms = new Map<string, Set<TaskEventListener>>();
  private relay?: Subscription;

  constructor(private readonly events: EventBus) {}

  /** Resolves once events reach this process: a listener added after it misses nothing published later. */
  listening(): Promise<void> {
    return this.events.listening();
  }

  /** `listener` receives every task event of `room` from now on, until the returned function is called. */
  listen(room: string, listener: TaskEventListener): () => void {
    let listeners = this.rooms.get(room);
    if (!listeners) this.rooms.set(room, (listeners = new Set()));
    listeners.add(listener);
    this.relay ??= this.events.events().subscribe((event) => this.route(event));
    return () => {
      if (!listeners.delete(listener)) return;
      if (listeners.size === 0 && this.rooms.get(room) === listeners) this.rooms.delete(room);
      if (this.rooms.size === 0) this.stop();
    };
  }

  /** Listeners in all rooms. */
  get size(): number {
    let size = 0;
    for (const listeners of this.rooms.values()) size += listeners.size;
    return size;
  }

  private route(event: TaskEvent): void {
    let frame: string | undefined;
    for (const room of taskRooms(event)) {
      const listeners = this.rooms.get(room);
      if (!listeners) continue;
      frame ??= sseFrame('task', event);
      // A listener that closes its stream while called leaves the set; iterating a Set allows that.
      for (const listener of listeners) listener(frame, event);
    }
  }

  private stop(): void {
    this.relay?.unsubscribe();
    this.relay = undefined;
  }

  onModuleDestroy(): void {
    this.stop();
    this.rooms.clear();
  }
}
