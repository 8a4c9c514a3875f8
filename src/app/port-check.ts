import { createServer } from 'node:net';

/**
 * Whether something already listens on `host:port` (port 0, any free port, never is). Checked before the
 * application is built, so a taken PORT stops the process before its workers and periodic jobs start.
 */
export function portInUse(port: number, host: string): Promise<boolean> {
  if (port === 0) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(true) : reject(err)));
    probe.listen(port, host, () => probe.close(() => resolve(false)));
  });
}
