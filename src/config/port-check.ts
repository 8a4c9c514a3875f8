import { createServer } from 'node:net';
import { InvalidConfigError } from './config.errors';

/** What to do when a worker's METRICS_PORT is taken: another worker on this host is the usual holder. */
export const METRICS_PORT_TAKEN_HINT =
  'each worker on one host needs its own METRICS_PORT (or METRICS_PORT=0 for any free port)';

/**
 * Rejects with {@link listenFailure}'s error when `host:port` cannot be listened on (port 0, any free port, is
 * never taken). Checked before the application is built, so a taken PORT (a worker's METRICS_PORT) or a HOST not
 * of this machine stops the process before its workers and periodic jobs start.
 */
export function assertCanListen(port: number, host: string, portSetting = 'PORT', whenTaken?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(listenFailure(err, host, port, portSetting, whenTaken)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/**
 * Why a server could not listen on `host:port`, as the setting to change (`HOST`, or `portSetting`) when it is
 * one: a name that does not resolve, an address that is not this machine's, a port taken (with `whenTaken`, what
 * to do about it, when given) or not allowed. Any other error is returned as it came.
 */
export function listenFailure(
  err: NodeJS.ErrnoException,
  host: string,
  port: number,
  portSetting = 'PORT',
  whenTaken?: string,
): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new InvalidConfigError(
        portSetting,
        `${port} is already in use on ${host}${whenTaken ? `: ${whenTaken}` : ''}`,
      );
    case 'EACCES':
      return new InvalidConfigError(portSetting, `${port} may not be listened on by this user on ${host}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new InvalidConfigError('HOST', `"${host}" is not a name this machine can resolve`);
    case 'EADDRNOTAVAIL':
      return new InvalidConfigError('HOST', `"${host}" is not an address of this machine`);
    default:
      return err;
  }
}
