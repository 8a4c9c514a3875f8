import { once } from 'node:events';
import { type AddressInfo, createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on a loopback port to a server (PostgreSQL, Redis) that a test can freeze: while frozen, its
 * connections stay open and it accepts new ones, but nothing goes through either way, as with a server that hangs
 * (SIGSTOP) rather than one that is down. Thawed, what was held goes through.
 */
export class FreezableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private frozen = false;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens on a free loopback port; returns that port. */
  async start(): Promise<number> {
    this.server = createServer((client) => this.relay(client));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }

  /** Connections stay open and new ones are accepted, but no byte is passed on. */
  freeze(): void {
    this.frozen = true;
    for (const socket of this.sockets) socket.pause();
  }

  /**
   * Drops every connection, as a network failure or a restarted server would, and holds the new ones (accepted,
   * nothing passed on) until {@link thaw}.
   */
  cut(): void {
    this.freeze();
    for (const socket of this.sockets) socket.destroy();
  }

  /** Passes on what was held meanwhile, and everything after. */
  thaw(): void {
    this.frozen = false;
    for (const socket of this.sockets) socket.resume();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = createConnection(this.targetPort, this.targetHost);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ]) {
      this.sockets.add(from);
      from.on('data', (chunk: Buffer) => to.write(chunk));
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
      // After the `data` listener, which would otherwise set it flowing again.
      if (this.frozen) from.pause();
    }
  }
}
