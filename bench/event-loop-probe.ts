import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/**
 * Loaded with `--require` into the API process by `npm run bench:block`: samples the main event loop's delay
 * every millisecond and answers the script over the IPC channel. `reset` starts a window, `read` reports it
 * (max and p99 of the delay, in ms), `parse` times `JSON.parse` of the text it is sent, in this same process,
 * as the baseline a request's block is compared with. Does nothing without an IPC channel.
 */
type Command = { cmd: 'reset' } | { cmd: 'read' } | { cmd: 'parse'; text: string };

const send = process.send?.bind(process);
if (send) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  const read = () => ({ maxMs: ms(histogram.max), p99Ms: ms(histogram.percentile(99)), samples: histogram.count });
  process.on('message', (message: Command) => {
    if (message.cmd === 'reset') {
      histogram.reset();
      send({ cmd: 'reset' });
    } else if (message.cmd === 'read') {
      send({ cmd: 'read', ...read() });
    } else if (message.cmd === 'parse') {
      setImmediate(() => {
        histogram.reset();
        const started = performance.now();
        JSON.parse(message.text);
        const tookMs = Math.round((performance.now() - started) * 100) / 100;
        setTimeout(() => send({ cmd: 'parse', tookMs, ...read() }), 20);
      });
    }
  });
  // The channel must not keep the process alive once the app has shut down.
  process.channel?.unref();
}
