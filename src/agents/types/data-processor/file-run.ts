import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { OutputFile, RecordChunk, RecordFiles, WorkFile } from '../../../files/record-files';
import { AgentExecutionError, type ExecutionContext, nonRetryable, throwIfAborted } from '../../agent-type';
import { type DataRecord, type PipelineStep, runSteps } from './pipeline';
import { type RecordChunks, streamSteps } from './streamed-steps';

/** What is saved after each chunk of a file: where the next one starts, and how far the work file got. */
export interface FileChunkPart {
  /** Byte offset in the input file just after this chunk. */
  end: number;
  /** Size of the work file (what the streaming steps kept so far) after this chunk. */
  workBytes: number;
}

function isFileChunkPart(value: unknown): value is FileChunkPart {
  const v = value as FileChunkPart | undefined;
  return typeof v?.end === 'number' && typeof v.workBytes === 'number';
}

export interface FileRunOptions {
  fileId: string;
  streaming: PipelineStep[];
  rest: PipelineStep[];
  chunkSize: number;
  maxInlineOutputBytes: number;
  /** The most records a sort may hold (DATA_PROCESSOR_SORT_MAX_RECORDS). */
  sortMaxRecords: number;
}

export interface FileRunResult {
  records?: DataRecord[];
  outputFileId?: string;
  inputCount: number;
  outputCount: number;
  chunks: number;
  resumedFromChunk: number;
}

async function* recordsOf(chunks: AsyncIterable<RecordChunk>): RecordChunks {
  for await (const chunk of chunks) yield chunk.records;
}

/** Keeps the output in memory up to a size, then moves it to a new file. */
class OutputSink {
  records: DataRecord[] = [];
  count = 0;
  private bytes = 0;
  file?: OutputFile;

  constructor(
    private readonly files: RecordFiles,
    private readonly maxInlineBytes: number,
  ) {}

  async add(chunk: DataRecord[]): Promise<void> {
    this.count += chunk.length;
    if (this.file) return this.file.append(chunk);
    for (const record of chunk) {
      this.records.push(record);
      this.bytes += JSON.stringify(record).length + 1;
    }
    if (this.bytes > this.maxInlineBytes) {
      this.file = this.files.output();
      await this.file.append(this.records);
      this.records = [];
    }
  }
}

/**
 * A data-processor run over a stored file, memory flat whatever its size. Chunk by chunk, checkpointed: the
 * streaming steps (filter, select) run over each chunk read from the file and what they keep is appended to
 * the task's work file; each chunk's part records where it ended in both files, so a later attempt (on any
 * process that sees FILES_DIR) reads on from there. Then the rest of the pipeline runs over the work file as
 * a stream ({@link streamSteps}); an output larger than `maxInlineOutputBytes` becomes a new file, owned by
 * the input file's owner.
 */
export async function runOverFile(
  ctx: ExecutionContext<unknown, unknown>,
  files: RecordFiles,
  options: FileRunOptions,
): Promise<FileRunResult> {
  const file = await files.find(options.fileId);
  // A task reads the files of the user it runs for, and no one else's (another's reads as missing). The work file
  // an earlier attempt kept (the file deleted since) goes with this last one.
  if (!file || file.createdBy !== ctx.createdBy) {
    await files.work(ctx.taskId).remove();
    throw nonRetryable('FILE_NOT_FOUND', `No file ${options.fileId}`);
  }
  const size = options.chunkSize;
  const chunks = Math.ceil(file.records / size);
  // With no streaming steps there is nothing to keep per chunk: the rest reads the input file itself.
  const work = options.streaming.length > 0 ? files.work(ctx.taskId) : undefined;
  const sink = new OutputSink(files, options.maxInlineOutputBytes);
  let resumedFromChunk = 0;
  try {
    let source: RecordChunks;
    if (work) {
      resumedFromChunk = await streamChunks(ctx, files, work, options, chunks);
      await work.close();
      source = recordsOf(work.chunks(size));
    } else {
      source = recordsOf(files.chunks(file.id, 0, size));
    }
    for await (const chunk of streamSteps(source, options.rest, size, options.sortMaxRecords)) {
      throwIfAborted(ctx.signal);
      await sink.add(chunk);
    }
    throwIfAborted(ctx.signal);
    const outputFileId = sink.file
      ? await sink.file.finish(file.createdBy, ctx.taskId, `${ctx.taskId}-output.ndjson`)
      : undefined;
    await work?.remove();
    await ctx.progress(100, `${sink.count} records out`);
    return {
      ...(outputFileId ? { outputFileId } : { records: sink.records }),
      inputCount: file.records,
      outputCount: sink.count,
      chunks,
      resumedFromChunk,
    };
  } catch (err) {
    await sink.file?.abort();
    await work?.close();
    // Kept for the next attempt only if there is one.
    if (!(err instanceof AgentExecutionError && err.retryable)) await work?.remove();
    if (err instanceof SyntaxError) throw nonRetryable('BAD_FILE', `File ${file.id} holds a line that is not JSON`);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw nonRetryable('FILE_NOT_FOUND', `The content of file ${file.id} is missing from FILES_DIR`);
    throw err;
  }
}

/** Phase one: the file's chunks through the streaming steps into the work file; the chunk it started at. */
async function streamChunks(
  ctx: ExecutionContext<unknown, unknown>,
  files: RecordFiles,
  work: WorkFile,
  options: FileRunOptions,
  chunks: number,
): Promise<number> {
  let chunk = 0;
  let from = 0;
  let workBytes = 0;
  for (const { seq, part } of await ctx.checkpointParts()) {
    if (seq !== chunk || !isFileChunkPart(part)) break;
    ({ end: from, workBytes } = part);
    chunk += 1;
  }
  // The work file may be gone (another machine, cleaned up): then it all starts again.
  if (chunk > 0 && !(await work.resumeAt(workBytes))) {
    ctx.logger.warn('work file missing: starting the file again', { nextChunk: chunk });
    chunk = 0;
    from = 0;
  }
  const resumedFrom = chunk;
  if (chunk === 0) await work.reset();
  else ctx.logger.info('resuming from checkpoint', { nextChunk: chunk, of: chunks });
  for await (const read of files.chunks(options.fileId, from, options.chunkSize)) {
    throwIfAborted(ctx.signal);
    const bytes = await work.append(await runSteps(read.records, options.streaming));
    await ctx.checkpointPart(chunk, { end: read.end, workBytes: bytes } satisfies FileChunkPart);
    chunk += 1;
    // Phase one is most of the work: it reports up to 90 %.
    await ctx.progress(Math.min(90, Math.round((chunk / Math.max(chunks, 1)) * 90)), `chunk ${chunk} of ${chunks}`);
    await yieldToEventLoop();
  }
  return resumedFrom;
}
