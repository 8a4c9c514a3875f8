import type { TaskEvent } from '../../src/events/event-bus';
import { type TaskOutputDelta, TaskOutputStream } from '../../src/events/task-output-stream';
import type { CancelSignals, EventPublisher, NewTasks, TaskJobs } from '../../src/tasks/ports';
import type { Task } from '../../src/tasks/task';
import { AgentUnavailableError } from '../../src/tasks/tasks.errors';

/** The queue: what was queued and removed, or a Redis that refuses. */
export class FakeJobs implements TaskJobs {
  readonly queued: string[] = [];
  readonly removed: string[] = [];
  failing?: Error;

  async enqueueMany(tasks: Task[]): Promise<void> {
    if (this.failing) throw this.failing;
    this.queued.push(...tasks.map((t) => t.id));
  }

  async remove(id: string): Promise<void> {
    this.removed.push(id);
  }
}

export class FakeEvents implements EventPublisher {
  readonly published: TaskEvent[] = [];
  readonly deltas: TaskOutputDelta[] = [];

  publish(event: TaskEvent): void {
    this.published.push(event);
  }

  outputStream(taskId: string, attempt: number): TaskOutputStream {
    return new TaskOutputStream((delta) => this.deltas.push(delta), taskId, attempt);
  }

  statusesOf(taskId: string): string[] {
    return this.published.filter((e) => e.taskId === taskId).map((e) => e.status);
  }
}

/**
 * Cancellation in this process only, as {@link TaskCancellation} does it: a test cancels a registered attempt with
 * {@link abort}, or hands the attempts back as a stopping worker does with {@link handBackAll}.
 */
export class FakeCancelSignals implements CancelSignals {
  readonly requested: string[] = [];
  readonly controllers = new Map<string, AbortController>();
  private readonly cancelledIds = new Set<string>();
  private readonly handedBackIds = new Set<string>();
  private handingBack = false;

  async requestCancel(taskId: string): Promise<void> {
    this.requested.push(taskId);
    this.abort(taskId);
  }

  register(
    taskId: string,
    controller: AbortController,
  ): { cancelled: () => boolean; handedBack: () => boolean; release: () => void } {
    this.controllers.set(taskId, controller);
    this.cancelledIds.delete(taskId);
    this.handedBackIds.delete(taskId);
    if (this.handingBack) this.handBack(taskId);
    return {
      cancelled: () => this.cancelledIds.has(taskId),
      handedBack: () => this.handedBackIds.has(taskId),
      release: () => this.controllers.delete(taskId),
    };
  }

  abort(taskId: string): void {
    const controller = this.controllers.get(taskId);
    if (!controller) return;
    this.cancelledIds.add(taskId);
    controller.abort(new DOMException('The task was cancelled', 'AbortError') as unknown as Error);
  }

  handBackAll(): void {
    this.handingBack = true;
    for (const taskId of this.controllers.keys()) this.handBack(taskId);
  }

  private handBack(taskId: string): void {
    const controller = this.controllers.get(taskId)!;
    if (controller.signal.aborted) return;
    this.handedBackIds.add(taskId);
    controller.abort(new DOMException('The worker is stopping', 'AbortError') as unknown as Error);
  }
}

/** Tasks handed back for queueing and announcing (a retry's new run); agents in `deletedAgents` take none. */
export class FakeNewTasks implements NewTasks {
  readonly created: string[] = [];
  readonly deletedAgents = new Set<string>();

  async assertAgentTakesTasks(agentId: string): Promise<void> {
    if (this.deletedAgents.has(agentId)) throw new AgentUnavailableError();
  }

  async afterCreate(tasks: Task[]): Promise<void> {
    this.created.push(...tasks.map((t) => t.id));
  }
}
