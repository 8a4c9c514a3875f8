import { Injectable } from '@nestjs/common';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type AgentType, type ExecutionContext, throwIfAborted } from '../../agent-type';
import { applySteps, type DataRecord, isStreaming, PIPELINE_SCHEMA, type PipelineStep } from './pipeline';

export interface DataProcessorInput {
  records: DataRecord[];
  pipeline?: PipelineStep[];
}
export interface DataProcessorConfig {
  pipeline: PipelineStep[];
  chunkSize: number;
}
export interface DataProcessorOutput {
  records: DataRecord[];
  stats: { inputCount: number; outputCount: number; chunks: number; resumedFromChunk: number; durationMs: number };
}

/** What is saved after every chunk: where to go on, and what the streaming steps produced so far. */
interface DataProcessorCheckpoint {
  nextChunk: number;
  partial: DataRecord[];
}

function isCheckpoint(value: unknown): value is DataProcessorCheckpoint {
  const v = value as DataProcessorCheckpoint | undefined;
  return typeof v?.nextChunk === 'number' && Array.isArray(v.partial);
}

@Injectable()
export class DataProcessorAgentType implements AgentType<DataProcessorInput, DataProcessorConfig, DataProcessorOutput> {
  readonly type = 'data-processor';
  readonly description =
    'Runs a declarative pipeline (filter, select, sort, group, dedupe, limit) over records, in chunks with a checkpoint after each.';
  readonly configSchema = {
    type: 'object',
    additionalProperties: false,
    properties: {
      pipeline: { ...PIPELINE_SCHEMA, default: [], description: 'Used when the input brings no pipeline' },
      chunkSize: { type: 'integer', minimum: 1, maximum: 100_000, default: 1000 },
    },
  };
  readonly inputSchema = {
    type: 'object',
    required: ['records'],
    additionalProperties: false,
    properties: {
      records: { type: 'array', items: { type: 'object' } },
      pipeline: PIPELINE_SCHEMA,
    },
  };
  readonly outputSchema = {
    type: 'object',
    required: ['records', 'stats'],
    properties: { records: { type: 'array', items: { type: 'object' } }, stats: { type: 'object' } },
  };

  async execute(ctx: ExecutionContext<DataProcessorInput, DataProcessorConfig>): Promise<DataProcessorOutput> {
    const started = Date.now();
    const steps = ctx.input.pipeline ?? ctx.config.pipeline;
    const firstWhole = steps.findIndex((s) => !isStreaming(s));
    const streaming = firstWhole === -1 ? steps : steps.slice(0, firstWhole);
    const rest = firstWhole === -1 ? [] : steps.slice(firstWhole);
    const records = ctx.input.records;
    const size = ctx.config.chunkSize;
    const chunks = Math.ceil(records.length / size);

    const resume = isCheckpoint(ctx.lastCheckpoint) ? ctx.lastCheckpoint : undefined;
    if (resume) ctx.logger.info('resuming from checkpoint', { nextChunk: resume.nextChunk, of: chunks });
    const partial = resume ? [...resume.partial] : [];
    for (let chunk = resume?.nextChunk ?? 0; chunk < chunks; chunk += 1) {
      throwIfAborted(ctx.signal);
      partial.push(...applySteps(records.slice(chunk * size, (chunk + 1) * size), streaming));
      await ctx.checkpoint({ nextChunk: chunk + 1, partial } satisfies DataProcessorCheckpoint);
      await ctx.progress(Math.round(((chunk + 1) / chunks) * 100), `chunk ${chunk + 1} of ${chunks}`);
      // Lets a cancellation or shutdown reach this attempt between chunks.
      await yieldToEventLoop();
    }
    throwIfAborted(ctx.signal);
    const output = applySteps(partial, rest);
    return {
      records: output,
      stats: {
        inputCount: records.length,
        outputCount: output.length,
        chunks,
        resumedFromChunk: resume?.nextChunk ?? 0,
        durationMs: Date.now() - started,
      },
    };
  }
}
