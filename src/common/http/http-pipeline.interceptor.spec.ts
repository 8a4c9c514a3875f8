import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, map, Observable, of } from 'rxjs';
import { chainStages, type PipelineStage } from './http-pipeline.interceptor';

/** A stage that records when it is entered and tags the value on its way out. */
function stage(name: string, entered: string[]): PipelineStage {
  return {
    intercept: (_context: ExecutionContext, next: CallHandler): Observable<unknown> => {
      entered.push(name);
      return next.handle().pipe(map((value) => `${name}(${String(value)})`));
    },
  };
}

describe('chainStages', () => {
  const context = {} as ExecutionContext;

  it('runs the stages outermost first, each around the rest of the chain', async () => {
    const entered: string[] = [];
    let handled = 0;
    const handler: CallHandler = { handle: () => (handled++, of('result')) };
    const chain = chainStages(
      [stage('envelope', entered), stage('audit', entered), stage('timeout', entered)],
      context,
      handler,
    );
    await expect(lastValueFrom(chain.handle())).resolves.toBe('envelope(audit(timeout(result)))');
    expect(entered).toEqual(['envelope', 'audit', 'timeout']);
    expect(handled).toBe(1);
  });

  it('is the handler itself when there are no stages', () => {
    const handler: CallHandler = { handle: () => of(1) };
    expect(chainStages([], context, handler)).toBe(handler);
  });
});
