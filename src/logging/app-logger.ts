import { Inject, Injectable } from '@nestjs/common';
import { Logger, PARAMS_PROVIDER_TOKEN, type Params, PinoLogger } from 'nestjs-pino';

/**
 * The framework's own account of starting up: a line per module, controller and route (about 200 on start), at
 * debug rather than info, so that an operator's first screen is what the platform says (where it listens, the
 * console's address, the bootstrap admin), not the wiring. `LOG_LEVEL=debug` shows them.
 */
const WIRING = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'WebSocketsController']);

/** Nest's logger over pino, with the start-up wiring at debug ({@link WIRING}). */
@Injectable()
export class AppLogger extends Logger {
  constructor(@Inject(PinoLogger) logger: PinoLogger, @Inject(PARAMS_PROVIDER_TOKEN) params: Params) {
    super(logger, params);
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && WIRING.has(context)) this.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}
