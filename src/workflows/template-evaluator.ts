import { Worker } from 'node:worker_threads';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type ThreadSource, threadSource } from '../common/process/thread-source';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { NEEDS_JSONATA, renderPaths } from './path-templates';
import { maxStringLength } from './template-guards';
import type { TemplateReply, TemplateRequest } from './template-worker';
import { TemplateQueue } from './template-queue';
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
 * What the jobs of one message are expected to take together, at most, from what their owners' jobs took
 * lately (see {@link TemplateQueue}): fast renderings go many to a message, slow ones one at a time, so a
 * thread is soon free again for the next owner in turn.
 */
const MESSAGE_TARGET_MS = 30;
/**
 * A message still answering after this long, far past what it was expected to take, shows its owners' templates
 * turned slow: the rest of it, if that would take as long again at the same pace, is taken back when another
 * owner's jobs wait (see {@link recall}).
 */
const OVERRUN_MS = 4 * MESSAGE_TARGET_MS;
/**
 * Values whose templates one thread job parses, at most: each job has the evaluation's time budget, which the
 * templates of a definition of hundreds of steps would exceed in one.
 */
const VALUES_PER_CHECK = 50;

type Request = TemplateRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Job {
  /** The user on whose behalf the template is evaluated: the threads are shared fairly between owners. */
  owner: string;
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
  /** When the first sent job began: at dispatch, or at the answer before it. */
  since: number;
  /** When the message was sent, and how many jobs it had. */
  dispatched: number;
  jobs: number;
}

/**
 * Evaluates step-input templates on a small pool of worker threads, so an expression can never hold the
 * event loop, a database transaction or the process: each evaluation has a time budget (enforced inside
 * the thread and, failing that, by terminating the thread and starting another), a depth limit, a
 * sequence limit, a heap limit and a limit on the size of what it returns. The threads are shared fairly
 * between the users on whose behalf templates are evaluated ({@link TemplateQueue}): one user's slow templates
 * or long fan-out cannot keep the others' waiting.
 */
@Injectable()
export class TemplateEvaluator implements OnModuleDestroy {
  private readonly logger = new Logger(TemplateEvaluator.name);
  private readonly limits: TemplateLimits;
  private readonly size: number;
  private readonly heapMb: number;
  private readonly threads = new Set<Thread>();
  private readonly queue = new TemplateQueue<Job>(MESSAGE_TARGET_MS);
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
   * Templates that are all plain paths are rendered here ({@link renderInline}), the others on a thread, in
   * `owner`'s turn (the user on whose behalf it is rendered).
   */
  async render(value: unknown, context: unknown, owner: string): Promise<unknown> {
    const inline = this.renderInline(value, context);
    if (inline !== NEEDS_JSONATA) return inline;
    return JSON.parse(await this.run({ kind: 'render', value, context, limits: this.limits }, owner));
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
   * job, the jobs spread over the threads, in `owner`'s turn (the user saving them).
   */
  async problems(values: readonly unknown[], owner: string): Promise<TemplateProblem[]> {
    const jobs: Promise<TemplateProblem[]>[] = [];
    for (let start = 0; start < values.length; start += VALUES_PER_CHECK)
      jobs.push(this.checkSlice(values.slice(start, start + VALUES_PER_CHECK), start, owner));
    return (await Promise.all(jobs)).flat();
  }

  /** One job of {@link problems}: the values from index `start` on, their paths counted from the first value. */
  private async checkSlice(values: unknown[], start: number, owner: string): Promise<TemplateProblem[]> {
    let found: TemplateProblem[];
    try {
      found = JSON.parse(await this.run({ kind: 'check', value: values }, owner)) as TemplateProblem[];
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
    for (const job of this.queue.drain()) job.reject(new TemplateEvaluatorClosedError());
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private run(request: Request, owner: string): Promise<string> {
    if (this.closed) return Promise.reject(new TemplateEvaluatorClosedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ owner, request, resolve, reject });
      this.pump();
    });
  }

  /**
   * Hands queued jobs to idle threads, a share of the queue each (up to {@link JOBS_PER_MESSAGE}, and what
   * {@link TemplateQueue} expects to take {@link MESSAGE_TARGET_MS}), the owners holding the fewest threads
   * first; starts threads (up to the pool's size) for the rest.
   */
  private pump(): void {
    if (this.closed) return;
    const held = new Map<string, number>();
    const hold = (thread: Thread) => {
      for (const owner of new Set(thread.sent.map(({ job }) => job.owner))) held.set(owner, (held.get(owner) ?? 0) + 1);
    };
    for (const thread of this.threads) hold(thread);
    for (const thread of this.threads) {
      if (!this.queue.size) return;
      if (thread.ready && !thread.sent.length) {
        const share = Math.min(JOBS_PER_MESSAGE, Math.ceil(this.queue.size / this.size));
        this.dispatch(thread, this.queue.take(share, held));
        hold(thread);
      }
    }
    let starting = [...this.threads].filter((t) => !t.ready).length;
    while (starting < this.queue.size && this.threads.size < this.size) {
      this.spawn();
      starting += 1;
    }
  }

  private dispatch(thread: Thread, jobs: Job[]): void {
    thread.sent = jobs.map((job) => ({ id: this.nextId++, job }));
    thread.since = thread.dispatched = performance.now();
    thread.jobs = jobs.length;
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
      '../common/storable-text',
    ]);
    const worker = new Worker(this.source.filename, {
      eval: this.source.eval,
      workerData: this.source.workerData,
      name: 'workflow-templates',
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: Math.min(16, this.heapMb) },
    });
    const thread: Thread = { worker, ready: false, sent: [], since: 0, dispatched: 0, jobs: 0 };
    this.threads.add(thread);
    worker.on('message', (message: TemplateReply | 'ready') => {
      if (message === 'ready') thread.ready = true;
      else if (message.id === thread.sent[0]?.id) {
        const { job } = thread.sent.shift()!;
        this.measure(thread, job);
        this.clear(thread);
        if (message.ok) job.resolve(message.json);
        else job.reject(new TemplateError(message.code, message.path, message.detail));
        if (this.overran(thread) && this.othersWait(thread, job.owner)) return this.recall(thread);
        if (thread.sent.length) this.arm(thread);
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
        this.queue.take(1)[0]?.reject(new TemplateError('TEMPLATE_FAILED', '', 'no template thread could start'));
      this.retire(thread);
    });
  }

  /** Records what the thread's first sent job took, for its owner's next messages. */
  private measure(thread: Thread, job: Job): void {
    const now = performance.now();
    this.queue.measured(job.owner, now - thread.since);
    thread.since = now;
  }

  /** Whether the thread's message has run past {@link OVERRUN_MS}, and its rest would at the pace so far. */
  private overran(thread: Thread): boolean {
    const elapsed = thread.since - thread.dispatched;
    const rest = (elapsed / (thread.jobs - thread.sent.length)) * thread.sent.length;
    return elapsed > OVERRUN_MS && rest > OVERRUN_MS;
  }

  /** Whether jobs of owners other than `owner` wait, in the queue or behind it in the thread's message. */
  private othersWait(thread: Thread, owner: string): boolean {
    return this.queue.waitingBesides(owner) || thread.sent.some(({ job }) => job.owner !== owner);
  }

  /**
   * Takes back the rest of a message that ran far longer than expected: likely as slow, it would hold the thread
   * as long again while others wait. It goes back to the front of its owners' queues, for messages of their
   * measured cost; the thread is replaced. An evaluation changes nothing outside its thread, so the job it may
   * have begun is simply evaluated again.
   */
  private recall(thread: Thread): void {
    this.queue.putBack(thread.sent.splice(0).map(({ job }) => job));
    this.retire(thread);
  }

  private clear(thread: Thread): void {
    clearTimeout(thread.timer);
    thread.timer = undefined;
  }

  /**
   * Settles the job the thread is evaluating with an error, if it has one (what it took counts against its
   * owner); the jobs sent after it were not begun, and go back to the front of their owners' queues for another
   * thread.
   */
  private finish(thread: Thread, err: Error): void {
    this.clear(thread);
    const [current, ...rest] = thread.sent.splice(0);
    if (current) {
      this.measure(thread, current.job);
      current.job.reject(err);
    }
    this.queue.putBack(rest.map(({ job }) => job));
  }

  /** Drops a thread (terminating it, whatever it is doing) and lets another take its place. */
  private retire(thread: Thread): void {
    if (!this.threads.delete(thread)) return;
    thread.worker.terminate().catch(() => undefined);
    this.pump();
  }
}
