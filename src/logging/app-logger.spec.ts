import type { PinoLogger } from 'nestjs-pino';
import { AppLogger } from './app-logger';

/** The pino calls the logger makes, by level. */
function recording(): { pino: PinoLogger; calls: Record<string, unknown[][]> } {
  const calls: Record<string, unknown[][]> = { info: [], debug: [] };
  const pino = {
    info: (...args: unknown[]) => calls.info.push(args),
    debug: (...args: unknown[]) => calls.debug.push(args),
  } as unknown as PinoLogger;
  return { pino, calls };
}

describe('AppLogger', () => {
  it("logs the framework's start-up wiring at debug and everything else as it came", () => {
    const { pino, calls } = recording();
    const logger = new AppLogger(pino, {});
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/api/v1/tasks, POST} route', 'RouterExplorer');
    logger.log('Nest application successfully started', 'NestApplication');
    logger.log('task worker started', 'TaskWorker');
    expect(calls.debug.map((args) => args[1])).toEqual([
      'AppModule dependencies initialized',
      'Mapped {/api/v1/tasks, POST} route',
    ]);
    expect(calls.info.map((args) => args[1])).toEqual(['Nest application successfully started', 'task worker started']);
  });
});
