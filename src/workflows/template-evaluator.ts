import { Worker } from 'node:worker_threads';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type ThreadSource, threadSource } from '../common/process/thread-source';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { TemplateReply, TemplateRequest } from './template-worker';
import { TemplateError, type TemplateLimits } from './templates';
import { TemplateEvaluatorClosedError } from './workflows.errors';

/** How long past its budget a thread may run before it is terminated: cooperative checks normally win. */
const HARD_TIMEOUT_GRACE_MS = 250;

type Request = TemplateRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Job {
  request: Request;
  resolve: (json: string) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  current?: { id: number; job: Job; timer: NodeJS.Timeout };
}

/**
 * Evaluates step-input templates on a small pool of worker threads, so an expression can never hold the
 * event loop, a database transaction or the process: each evaluation has a time budget (enforced inside
 * the thread and, failing that, by terminating the thread and starting another), a depth limit, a
 * sequence limit, a heap limit and a limit on the size of what it returns.
 */
@Injectable()
export class TemplateEvaluator implements OnModuleDestroy {
  private readonly logger = new Logger(TemplateEvaluator.name);
  private readonly limits: TemplateLimits;
  private readonly size: number;
  private readonly heapMb: number;
  private readonly threads = new Set<Thread>();
  private readonly queue: Job[] = [];
  private source?: ThreadSource;
  private nextId = 1;
  private closed = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { threads, heapMb, ...limits } = config.workflows.templates;
    this.limits = limits;
    this.size = threads;
    this.heapMb = heapMb;
  }

  /** A step's input with its templates rendered; throws {@link TemplateError} with the step error's code. */
  async render(value: unknown, context: unknown): Promise<unknown> {
    return JSON.parse(await this.run({ kind: 'render', value, context, limits: this.limits }));
  }

  /** The templates in a value that do not parse, as `{path, message}`; nothing is evaluated. */
  async problems(value: unknown): Promise<{ path: string; message: string }[]> {
    try {
      return JSON.parse(await this.run({ kind: 'check', value })) as { path: string; message: string }[];
    } catch (err) {
      if (err instanceof TemplateError) return [{ path: err.path, message: err.detail }];
      throw err;
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new TemplateEvaluatorClosedError());
    const threads = [...this.threads];
    this.threads.clear();
    for (const thread of threads) this.finish(thread, new TemplateEvaluatorClosedError());
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private run(request: Request): Promise<string> {
    if (this.closed) return Promise.reject(new TemplateEvaluatorClosedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  /** Hands queued jobs to idle threads, starting threads (up to the pool's size) for the rest. */
  private pump(): void {
    if (this.closed) return;
    for (const thread of this.threads) {
      if (!this.queue.length) return;
      if (thread.ready && !thread.current) this.dispatch(thread, this.queue.shift()!);
    }
    let starting = [...this.threads].filter((t) => !t.ready).length;
    while (starting < this.queue.length && this.threads.size < this.size) {
      this.spawn();
      starting += 1;
    }
  }

  private dispatch(thread: Thread, job: Job): void {
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.finish(
        thread,
        new TemplateError('TEMPLATE_TIMEOUT', '', `did not finish within ${this.limits.timeoutMs} ms`),
      );
      this.retire(thread);
    }, this.limits.timeoutMs + HARD_TIMEOUT_GRACE_MS);
    thread.current = { id, job, timer };
    thread.worker.postMessage({ ...job.request, id });
  }

  private spawn(): void {
    this.source ??= threadSource(__filename, 'template-worker', ['template-worker', 'templates']);
    const worker = new Worker(this.source.filename, {
      eval: this.source.eval,
      workerData: this.source.workerData,
      name: 'workflow-templates',
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: Math.min(16, this.heapMb) },
    });
    const thread: Thread = { worker, ready: false };
    this.threads.add(thread);
    worker.on('message', (message: TemplateReply | 'ready') => {
      if (message === 'ready') thread.ready = true;
      else if (message.id === thread.current?.id) {
        const { job } = thread.current;
        this.clear(thread);
        if (message.ok) job.resolve(message.json);
        else job.reject(new TemplateError(message.code, message.path, message.detail));
      }
      this.pump();
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const outOfMemory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (!outOfMemory) this.logger.warn(`template thread failed: ${err.message}`);
      this.finish(
        thread,
        outOfMemory
          ? new TemplateError('TEMPLATE_TOO_LARGE', '', `used more than the ${this.heapMb} MB of memory allowed`)
          : new TemplateError('TEMPLATE_FAILED', '', 'the template could not be evaluated'),
      );
      this.retire(thread);
    });
    worker.on('exit', () => {
      if (!this.threads.has(thread)) return;
      this.finish(thread, new TemplateError('TEMPLATE_FAILED', '', 'the template could not be evaluated'));
      // A thread that could not even start takes one waiting job with it, so a broken start cannot loop.
      if (!thread.ready)
        this.queue.shift()?.reject(new TemplateError('TEMPLATE_FAILED', '', 'no template thread could start'));
      this.retire(thread);
    });
  }

  private clear(thread: Thread): void {
    if (thread.current) clearTimeout(thread.current.timer);
    thread.current = undefined;
  }

  /** Settles the thread's current job with an error, if it has one. */
  private finish(thread: Thread, err: Error): void {
    const job = thread.current?.job;
    this.clear(thread);
    job?.reject(err);
  }

  /** Drops a thread (terminating it, whatever it is doing) and lets another take its place. */
  private retire(thread: Thread): void {
    if (!this.threads.delete(thread)) return;
    thread.worker.terminate().catch(() => undefined);
    this.pump();
  }
}
