import { EventEmitter } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import { SseChunk, SseResponse } from './sse-response';

/** What SseResponse uses of an express Response with no connection yet: writes are recorded, nothing is sent. */
class FakeResponse extends EventEmitter {
  writes: (string | Buffer)[] = [];
  writableLength = 0;
  writableEnded = false;
  destroyed = false;
  status(): this {
    return this;
  }
  set(): this {
    return this;
  }
  flushHeaders(): void {}
  write(chunk: string | Buffer): boolean {
    this.writes.push(chunk);
    return true;
  }
  end(): void {
    this.writableEnded = true;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

const frame = (n: number | string): SseChunk => new SseChunk(`event: task\ndata: ${JSON.stringify(n)}\n\n`);

describe('SseChunk', () => {
  it('is its text as one chunk of a chunked body, its size counted in bytes', () => {
    const chunk = new SseChunk('data: "é✓"\n\n');
    expect(chunk.bytes.toString()).toBe('f\r\ndata: "é✓"\n\n\r\n');
    expect(chunk.bytes).toBe(chunk.bytes);
  });
});

describe('SseResponse', () => {
  const open = (maxPending = 1_000_000) => {
    const res = new FakeResponse();
    const closed: string[] = [];
    const stream = new SseResponse(res as unknown as Response, maxPending, (reason) => closed.push(reason));
    stream.open();
    res.writes = [];
    return { res, stream, closed };
  };

  it('writes each chunk through the response while it has no connection to write to', () => {
    const { res, stream } = open();
    stream.write(frame(1));
    stream.write(frame(2));
    expect(res.writes.map(String)).toEqual([frame(1).text, frame(2).text]);
  });

  it('writes nothing more once the client is gone', () => {
    const { res, stream, closed } = open();
    res.emit('close');
    stream.write(frame(1));
    expect(res.writes).toEqual([]);
    expect(closed).toEqual(['client']);
  });

  it('writes nothing once ended, while its last bytes may still be leaving, nor an empty chunk', () => {
    const { res, stream, closed } = open();
    stream.write(new SseChunk(''));
    expect(res.writes).toEqual([]);
    stream.end();
    expect(res.writableEnded).toBe(true);
    stream.write(frame(1));
    expect(res.writes).toEqual([]);
    expect(closed).toEqual(['client']);
  });

  it('lets go of a reader its earlier writes still wait for', () => {
    const { res, stream, closed } = open(1000);
    stream.write(frame(1));
    res.writableLength = 8001; // beyond the hard bound: the reader has not taken the earlier writes
    stream.write(frame(2));
    expect(closed).toEqual(['slow']);
    expect(res.destroyed).toBe(true);
    expect(res.writes.map(String)).toEqual([frame(1).text]);
  });
});

describe('SseResponse over HTTP', () => {
  let server: http.Server;
  let url: string;
  const opened: { res: Response; stream: SseResponse }[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    const app = express();
    app.get('/stream', (_req, res) => {
      const stream = new SseResponse(res, 1_000_000, () => undefined);
      stream.open();
      opened.push({ res, stream });
    });
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
  });

  afterAll(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Requests the stream; resolves with the server's side of it and the body the client reads to its end. */
  const request = async (method: 'GET' | 'HEAD') => {
    const count = opened.length;
    let body!: Promise<string>;
    const answered = new Promise<void>((resolve, reject) => {
      const req = http.request(url, { method, agent }, (res) => {
        const chunks: Buffer[] = [];
        body = new Promise((done, failed) => {
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(Buffer.concat(chunks).toString()));
          res.on('error', failed);
        });
        resolve();
      });
      req.on('error', reject);
      req.end();
    });
    await answered;
    while (opened.length === count) await new Promise((resolve) => setImmediate(resolve));
    return { ...opened[count], body: () => body };
  };

  it('writes a chunk straight to an idle connection, and through the response when something waits', async () => {
    const { res, stream, body } = await request('GET');
    const viaResponse = jest.spyOn(res, 'write');
    stream.write(frame(1));
    stream.write(frame('é✓'));
    expect(viaResponse).not.toHaveBeenCalled();
    // Node's own write of this tick corks the socket: what comes after it goes the same way, in order.
    res.socket!.cork();
    stream.write(frame(3));
    expect(viaResponse).toHaveBeenCalledTimes(1);
    res.socket!.uncork();
    await new Promise((resolve) => setImmediate(resolve));
    stream.write(frame(4));
    expect(viaResponse).toHaveBeenCalledTimes(1);
    res.end();
    expect(await body()).toBe(': listening\n\n' + [1, 'é✓', 3, 4].map((n) => frame(n).text).join(''));
  });

  it('writes no body to a HEAD request: the next response on its connection follows its headers', async () => {
    const connection = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    const received: Buffer[] = [];
    connection.on('data', (chunk: Buffer) => received.push(chunk));
    const ask = async (method: string): Promise<void> => {
      const count = opened.length;
      connection.write(`${method} /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      while (opened.length === count) await new Promise((resolve) => setImmediate(resolve));
      const { res, stream } = opened[count];
      stream.write(frame(method));
      res.end();
    };
    await ask('HEAD');
    await ask('GET');
    const text = (): string => Buffer.concat(received).toString();
    while (!text().endsWith('0\r\n\r\n')) await new Promise((resolve) => setTimeout(resolve, 10));
    connection.destroy();
    const [head, get] = text().split(/(?=HTTP\/1\.1 200)/);
    expect(head.endsWith('\r\n\r\n')).toBe(true);
    expect(head).not.toContain('data:');
    const body = (bytes: string): string => `${Buffer.byteLength(bytes).toString(16)}\r\n${bytes}\r\n`;
    expect(get.slice(get.indexOf('\r\n\r\n') + 4)).toBe(
      body(': listening\n\n') + body(frame('GET').text) + '0\r\n\r\n',
    );
  });
});
