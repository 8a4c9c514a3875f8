import { randomUUID } from 'node:crypto';
import type { CreateTaskDto } from './dto/task.dto';
import type { Agent } from './ports';
import type { Task } from './task';

/** A new task of `agent`, as submitted by `createdBy`: queued, with the submission's defaults filled in. */
export function newTask(
  createdBy: string,
  agent: Pick<Agent, 'id'>,
  dto: CreateTaskDto,
  input: unknown,
  now = new Date(),
  expireAt: Date | null = null,
): Task {
  return {
    id: randomUUID(),
    createdAt: now,
    updatedAt: now,
    agentId: agent.id,
    status: 'queued',
    input,
    priority: dto.priority ?? 5,
    maxAttempts: dto.maxAttempts ?? 3,
    backoffMs: dto.backoffMs ?? 1000,
    timeoutMs: dto.timeoutMs ?? null,
    runAt: dto.runAt ?? null,
    metadata: dto.metadata ?? {},
    tags: dto.tags ?? [],
    concurrencyKey: dto.concurrencyKey ?? null,
    expireAt,
    createdBy,
    nextAttemptAt: dto.runAt ?? null,
    attempts: 0,
    attemptOffset: 0,
    progress: 0,
    progressMessage: null,
    output: null,
    error: null,
    checkpoint: null,
    startedAt: null,
    finishedAt: null,
    idempotencyKey: null,
    requestHash: null,
    runId: null,
    stepId: null,
  };
}
