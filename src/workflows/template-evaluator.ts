import { Worker } from 'node:worker_threads';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type ThreadSource, threadSource } from '../common/process/thread-source';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { NEEDS_JSONATA, renderPaths } from './path-templates';
import { maxStringLength } from './template-guards';
import type { TemplateReply, TemplateRequest } from './template-worker';
import { TemplateError, type TemplateLimits, type TemplateProblem } from './templates';
import { TemplateEvaluatorClosedError } from './workflows.errors';

/** How long past its budget a thread may run before it is terminated: cooperative checks normally win. */
const HARD_TIMEOUT_GRACE_MS = 250;
/**
 * Jobs handed to a thread in one message, at most: a fan-out's 498 renderings are a few round trips to each
 * thread, not one each. The thread answers them one by one, in order, each within its own budget.
 */
const JOBS_PER_MESSAGE = 50;
/**
 * Values whose templates one thread job parses, at most: each job has the evaluation's time budget, which the
 * templates of a definition of hundreds of steps would exceed in one.
 */
const VALUES_PER_CHECK = 50;

type Request = TemplateRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Job {
  request: Request;
  resolve: (json: string) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  /** Jobs sent and not answered yet, in the order the thread answers them: the first one is being evaluated. */
  sent: { id: number; job: Job }[];
  /** The first sent job's hard time limit. */
  timer?: NodeJS.Timeout;
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
    this.limits = { ...limits, maxStringLength: maxStringLength(heapMb) };
    this.size = threads;
    this.heapMb = heapMb;
  }

  /**
   * A step's input with its templates rendered; throws {@link TemplateError} with the step error's code.
   * Templates that are all plain paths are rendered here ({@link renderInline}), the others on a thread.
   */
  async render(value: unknown, context: unknown): Promise<unknown> {
    const inline = this.renderInline(value, context);
    if (inline !== NEEDS_JSONATA) return inline;
    return JSON.parse(await this.run({ kind: 'render', value, context, limits: this.limits }));
  }

  /**
   * The input rendered in this thread when its templates are all plain paths (see {@link renderPaths}), at
   * once; {@link NEEDS_JSONATA} when a thread must render it.
   */
  renderInline(value: unknown, context: unknown): unknown {
    return renderPaths(value, context, this.limits.maxOutputBytes);
  }

  /**
   * The templates that do not parse in each of the values, as `{path, message}` with the value's index first
   * in the path (`/3/url`); nothing is evaluated. The values are parsed {@link VALUES_PER_CHECK} to a thread's
   * job, the jobs spread over the threads.
   */
  async problems(values: readonly unknown[]): Promise<TemplateProblem[]> {
    const jobs: Promise<TemplateProblem[]>[] = [];
    for (let start = 0; start < values.length; start += VALUES_PER_CHECK)
      jobs.push(this.checkSlice(values.slice(start, start + VALUES_PER_CHECK), start));
    return (await Promise.all(jobs)).flat();
  }

  /** One job of {@link problems}: the values from index `start` on, their paths counted from the first value. */
  private async checkSlice(values: unknown[], start: number): Promise<TemplateProblem[]> {
    let found: TemplateProblem[];
    try {
      found = JSON.parse(await this.run({ kind: 'check', value: values })) as TemplateProblem[];
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      found = [{ path: err.path, message: err.detail }];
    }
    return found.map((p) => ({ ...p, path: p.path.replace(/^\/(\d+)/, (_, i: string) => `/${Number(i) + start}`) }));
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    const threads = [...this.threads];
    this.threads.clear();
    for (const thread of threads) this.finish(thread, new TemplateEvaluatorClosedError());
    for (const job of this.queue.splice(0)) job.reject(new TemplateEvaluatorClosedError());
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private run(request: Request): Promise<string> {
    if (this.closed) return Promise.reject(new TemplateEvaluatorClosedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  /**
   * Hands queued jobs to idle threads, a share of the queue each (up to {@link JOBS_PER_MESSAGE}), starting
   * threads (up to the pool's size) for the rest.
   */
  private pump(): void {
    if (this.closed) return;
    for (const thread of this.threads) {
      if (!this.queue.length) return;
      if (thread.ready && !thread.sent.length) {
        const share = Math.min(JOBS_PER_MESSAGE, Math.ceil(this.queue.length / this.size));
        this.dispatch(thread, this.queue.splice(0, share));
      }
    }
    let starting = [...this.threads].filter((t) => !t.ready).length;
    while (starting < this.queue.length && this.threads.size < this.size) {
      this.spawn();
      starting += 1;
    }
  }

  private dispatch(thread: Thread, jobs: Job[]): void {
    thread.sent = jobs.map((job) => ({ id: this.nextId++, job }));
    this.arm(thread);
    thread.worker.postMessage(thread.sent.map(({ id, job }) => ({ ...job.request, id })));
  }

  /** Starts the hard time limit of the thread's first job still unanswered. */
  private arm(thread: Thread): void {
    thread.timer = setTimeout(() => {
      this.finish(
        thread,
        new TemplateError('TEMPLATE_TIMEOUT', '', `did not finish within ${this.limits.timeoutMs} ms`),
      );
      this.retire(thread);
    }, this.limits.timeoutMs + HARD_TIMEOUT_GRACE_MS);
  }

  private spawn(): void {
    this.source ??= threadSource(__filename, 'template-worker', [
      'template-worker',
      'templates',
      'template-error',
      'template-guards',
    ]);
    const worker = new Worker(this.source.filename, {
      eval: this.source.eval,
      workerData: this.source.workerData,
      name: 'workflow-templates',
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: Math.min(16, this.heapMb) },
    });
    const thread: Thread = { worker, ready: false, sent: [] };
    this.threads.add(thread);
    worker.on('message', (message: TemplateReply | 'ready') => {
      if (message === 'ready') thread.ready = true;
      else if (message.id === thread.sent[0]?.id) {
        const { job } = thread.sent.shift()!;
        this.clear(thread);
        if (thread.sent.length) this.arm(thread);
        if (message.ok) job.resolve(message.json);
        else job.reject(new TemplateError(message.code, message.path, message.detail));
      }
      if (!thread.sent.length) this.pump();
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
    clearTimeout(thread.timer);
    thread.timer = undefined;
  }

  /**
   * Settles the job the thread is evaluating with an error, if it has one; the jobs sent after it were not
   * begun, and go back to the front of the queue for another thread.
   */
  private finish(thread: Thread, err: Error): void {
    this.clear(thread);
    const [current, ...rest] = thread.sent.splice(0);
    current?.job.reject(err);
    this.queue.unshift(...rest.map(({ job }) => job));
  }

  /** Drops a thread (terminating it, whatever it is doing) and lets another take its place. */
  private retire(thread: Thread): void {
    if (!this.threads.delete(thread)) return;
    thread.worker.terminate().catch(() => undefined);
    this.pump();
  }
}
