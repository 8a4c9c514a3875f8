import { Inject, Injectable } from '@nestjs/common';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { RecordFiles } from '../../../files/record-files';
import { type AgentType, type ExecutionContext, throwIfAborted } from '../../agent-type';
import { runOverFile } from './file-run';
import { type DataRecord, isStreaming, PIPELINE_SCHEMA, type PipelineStep, runSteps } from './pipeline';

/** The records inline, or the id of a file of records (`POST /files`): exactly one of them. */
export interface DataProcessorInput {
  records?: DataRecord[];
  file?: string;
  pipeline?: PipelineStep[];
}
export interface DataProcessorConfig {
  pipeline: PipelineStep[];
  chunkSize: number;
  /** Over a file: an output larger than this (as JSON) is written to a new file instead of the result. */
  maxInlineOutputBytes?: number;
}
export interface DataProcessorOutput {
  /** The output records; absent when they went to `outputFileId`. */
  records?: DataRecord[];
  outputFileId?: string;
  stats: { inputCount: number; outputCount: number; chunks: number; resumedFromChunk: number; durationMs: number };
}

export const DEFAULT_MAX_INLINE_OUTPUT_BYTES = 1024 * 1024;

/** What is saved after every chunk, as checkpoint part number `chunk`: what the streaming steps produced from it. */
interface ChunkPart {
  records: DataRecord[];
}

/** The whole checkpoint an earlier version saved after every chunk (everything so far), still resumed from. */
interface WholeCheckpoint {
  nextChunk: number;
  partial: DataRecord[];
}

function isChunkPart(value: unknown): value is ChunkPart {
  return Array.isArray((value as ChunkPart | undefined)?.records);
}

function isWholeCheckpoint(value: unknown): value is WholeCheckpoint {
  const v = value as WholeCheckpoint | undefined;
  return typeof v?.nextChunk === 'number' && Array.isArray(v.partial);
}

function append(to: DataRecord[], records: DataRecord[]): void {
  // Not push(...records): a chunk may hold more records than a call takes arguments.
  for (const record of records) to.push(record);
}

@Injectable()
export class DataProcessorAgentType implements AgentType<DataProcessorInput, DataProcessorConfig, DataProcessorOutput> {
  readonly type = 'data-processor';
  readonly description =
    'Runs a declarative pipeline (filter, select, sort, group, dedupe, limit) over records, inline or from a file, in chunks, saving what each chunk produced as it goes.';

  constructor(
    private readonly files: RecordFiles,
    @Inject(APP_CONFIG) private readonly config: { agents: Pick<AppConfig['agents'], 'sortMaxRecords'> },
  ) {}

  readonly configSchema = {
    type: 'object',
    additionalProperties: false,
    properties: {
      pipeline: {
        ...PIPELINE_SCHEMA,
        title: 'Pipeline',
        default: [],
        description: 'Used when the input brings no pipeline',
      },
      chunkSize: {
        title: 'Chunk size',
        description: 'Records per chunk',
        type: 'integer',
        minimum: 1,
        maximum: 100_000,
        default: 1000,
      },
      maxInlineOutputBytes: {
        title: 'Largest inline output (bytes)',
        type: 'integer',
        minimum: 0,
        maximum: 16 * 1024 * 1024,
        default: DEFAULT_MAX_INLINE_OUTPUT_BYTES,
        description: 'Over a file: a larger output is written to a new file (`outputFileId`)',
      },
    },
  };
  readonly inputSchema = {
    type: 'object',
    oneOf: [{ required: ['records'] }, { required: ['file'] }],
    additionalProperties: false,
    properties: {
      records: { type: 'array', items: { title: 'record', type: 'object' } },
      file: { type: 'string', format: 'uuid', description: 'The id of a file of records (POST /files)' },
      pipeline: PIPELINE_SCHEMA,
    },
  };
  readonly outputSchema = {
    type: 'object',
    required: ['stats'],
    oneOf: [{ required: ['records'] }, { required: ['outputFileId'] }],
    properties: {
      records: { type: 'array', items: { type: 'object' } },
      outputFileId: { type: 'string', format: 'uuid' },
      stats: { type: 'object' },
    },
  };

  /** An input with `file`, or one that is a template as a whole (a workflow step's `"{{ input }}"` may make one). */
  readsFile(input: unknown): boolean {
    return typeof input === 'string' || (typeof input === 'object' && input !== null && 'file' in input);
  }

  async execute(ctx: ExecutionContext<DataProcessorInput, DataProcessorConfig>): Promise<DataProcessorOutput> {
    const started = Date.now();
    const steps = ctx.input.pipeline ?? ctx.config.pipeline;
    const firstWhole = steps.findIndex((s) => !isStreaming(s));
    const streaming = firstWhole === -1 ? steps : steps.slice(0, firstWhole);
    const rest = firstWhole === -1 ? [] : steps.slice(firstWhole);
    if (ctx.input.file !== undefined) {
      const { records, outputFileId, ...counts } = await runOverFile(ctx, this.files, {
        fileId: ctx.input.file,
        streaming,
        rest,
        chunkSize: ctx.config.chunkSize,
        maxInlineOutputBytes: ctx.config.maxInlineOutputBytes ?? DEFAULT_MAX_INLINE_OUTPUT_BYTES,
        sortMaxRecords: this.config.agents.sortMaxRecords,
      });
      return {
        ...(outputFileId ? { outputFileId } : { records }),
        stats: { ...counts, durationMs: Date.now() - started },
      };
    }
    const records = ctx.input.records ?? [];
    const size = ctx.config.chunkSize;
    const chunks = Math.ceil(records.length / size);

    const { nextChunk: resumedFromChunk, partial } = await this.resume(ctx, chunks);
    if (resumedFromChunk > 0) ctx.logger.info('resuming from checkpoint', { nextChunk: resumedFromChunk, of: chunks });
    for (let chunk = resumedFromChunk; chunk < chunks; chunk += 1) {
      throwIfAborted(ctx.signal);
      const produced = await runSteps(records.slice(chunk * size, (chunk + 1) * size), streaming);
      append(partial, produced);
      // One part per chunk: a checkpoint costs this chunk's records, not everything so far.
      await ctx.checkpointPart(chunk, { records: produced } satisfies ChunkPart);
      await ctx.progress(Math.round(((chunk + 1) / chunks) * 100), `chunk ${chunk + 1} of ${chunks}`);
      // Lets a cancellation or shutdown reach this attempt between chunks.
      await yieldToEventLoop();
    }
    throwIfAborted(ctx.signal);
    const output = await runSteps(partial, rest, this.config.agents.sortMaxRecords);
    return {
      records: output,
      stats: {
        inputCount: records.length,
        outputCount: output.length,
        chunks,
        resumedFromChunk,
        durationMs: Date.now() - started,
      },
    };
  }

  /**
   * Where an earlier attempt of this run got to: the parts of chunks 0, 1, 2… for as long as they follow on
   * (a gap ends the resumable stretch), or else a whole checkpoint of an earlier version.
   */
  private async resume(
    ctx: ExecutionContext<DataProcessorInput, DataProcessorConfig>,
    chunks: number,
  ): Promise<{ nextChunk: number; partial: DataRecord[] }> {
    const partial: DataRecord[] = [];
    let nextChunk = 0;
    for (const { seq, part } of await ctx.checkpointParts()) {
      if (seq !== nextChunk || nextChunk >= chunks || !isChunkPart(part)) break;
      append(partial, part.records);
      nextChunk += 1;
    }
    if (nextChunk === 0 && isWholeCheckpoint(ctx.lastCheckpoint))
      return { nextChunk: ctx.lastCheckpoint.nextChunk, partial: [...ctx.lastCheckpoint.partial] };
    return { nextChunk, partial };
  }
}
