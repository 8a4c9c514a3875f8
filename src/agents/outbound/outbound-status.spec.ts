import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../config/app-config';
import { HostResolver, NetworkGuard } from './network-guard';
import { OutboundHttpClient } from './outbound-http.client';

/** Literal addresses only: the receiver is on 127.0.0.1. */
class NoNames extends HostResolver {
  resolve(): Promise<string[]> {
    return Promise.reject(new Error('ENOTFOUND'));
  }
}

/** A receiver on 127.0.0.1 whose answer each test scripts; counts connections and when each answer closed. */
class Receiver {
  connections = 0;
  closedAt: number[] = [];
  answer: (res: ServerResponse) => void = (res) => res.end('ok');
  private readonly server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.on('close', () => this.closedAt.push(Date.now()));
      this.answer(res);
    });
  });

  async start(): Promise<string> {
    this.server.on('connection', () => (this.connections += 1));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('OutboundHttpClient.status', () => {
  const client = new OutboundHttpClient(
    new NetworkGuard(loadConfig({ AGENT_ALLOW_PRIVATE_NETWORKS: 'true' }), new NoNames()),
  );
  const receiver = new Receiver();
  let url: string;
  const post = (timeoutMs = 60_000) =>
    client.status({
      url,
      method: 'POST',
      body: '{}',
      timeoutMs,
      signal: new AbortController().signal,
      maxRedirects: 0,
    });

  beforeAll(async () => {
    url = await receiver.start();
  });
  afterAll(async () => {
    await client.onApplicationShutdown();
    await receiver.stop();
  });
  beforeEach(() => {
    receiver.closedAt = [];
    receiver.connections = 0;
  });

  it('takes a short answer and reuses its connection', async () => {
    receiver.answer = (res) => res.writeHead(202, { 'x-seen': 'yes' }).end('accepted');
    for (let i = 0; i < 6; i += 1) expect(await post()).toMatchObject({ status: 202, headers: { 'x-seen': 'yes' } });
    // undici opens a second connection while the first answer is being taken back; after that, they are reused.
    expect(receiver.connections).toBeLessThanOrEqual(2);
  });

  it('answers with the status while the body never ends, and closes the body after 64 KB', async () => {
    let written = 0;
    receiver.answer = (res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const drip = setInterval(() => {
        written += 8192;
        res.write('x'.repeat(8192));
      }, 5);
      res.on('close', () => clearInterval(drip));
    };
    const before = written;
    expect(await post()).toMatchObject({ status: 200 });
    // Closed by the client (the call's timeout is a minute), and closing it raised nothing unhandled.
    while (receiver.closedAt.length === 0) await sleep(20);
    await sleep(100);
    expect(written - before).toBeLessThan(1024 * 1024);
  });

  it('takes the status of an answer whose body trickles, closing it at the call’s timeout', async () => {
    receiver.answer = (res) => {
      res.writeHead(500);
      const drip = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(drip));
    };
    const started = Date.now();
    expect(await post(600)).toMatchObject({ status: 500 });
    while (receiver.closedAt.length === 0) await sleep(20);
    expect(receiver.closedAt[0] - started).toBeGreaterThanOrEqual(550);
  });
});
