import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { remoteAnswer, seeded } from './soak-plan';

/**
 * The remote agent of slow tasks: answers `POST /work` with {@link remoteAnswer} after a random delay, and
 * counts the calls of each task (a task whose worker was killed mid-call is run again: at-least-once).
 */
export class RemoteAgent {
  private readonly calls = new Map<string, number>();
  private callCount = 0;
  private readonly server: Server;

  constructor(seed: number, slowMaxMs: number) {
    const random = seeded(seed ^ 0x5eed);
    this.server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: { taskId: string; input: { a: number; b: number; tag: string } };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString()) as typeof body;
        } catch {
          res.writeHead(400).end();
          return;
        }
        this.callCount += 1;
        this.calls.set(body.taskId, (this.calls.get(body.taskId) ?? 0) + 1);
        const delay = 100 + Math.floor(random() * Math.max(0, slowMaxMs - 100));
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(remoteAnswer(body.input)));
        }, delay).unref();
      });
    });
  }

  /** Listens on a free port of 127.0.0.1; the agent's base URL. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  executions(): { calls: number; tasksRunTwiceOrMore: number } {
    return { calls: this.callCount, tasksRunTwiceOrMore: [...this.calls.values()].filter((n) => n > 1).length };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
