import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait-for';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server on 127.0.0.1 whose answers a test scripts, recording what it received. */
export class LoopbackServer {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  handler: (req: RecordedRequest, res: ServerResponse) => void = (_req, res) => res.end('{}');

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        };
        this.requests.push(recorded);
        this.handler(recorded, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export interface StreamChatOptions {
  /** Between chunks (and before the first). */
  delayMs?: number;
  /** Destroys the socket after this many content chunks, as a crashed server would. */
  cutAfter?: number;
  /** Called as each content chunk is written. */
  onChunk?: (text: string) => void;
}

/**
 * Answers as an OpenAI-compatible server streams a chat completion: one `chat.completion.chunk` event per
 * piece of text, a finish reason, usage, then `data: [DONE]`. Stops writing once the client has gone.
 */
export function streamChat(res: ServerResponse, pieces: string[], options: StreamChatOptions = {}): void {
  const { delayMs = 0, cutAfter, onChunk } = options;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const send = (data: unknown) => res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    model: 'tiny-2024',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  send(chunk({ role: 'assistant' }));
  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (cutAfter !== undefined && i === cutAfter) {
      res.socket?.destroy();
      return;
    }
    if (i < pieces.length) {
      send(chunk({ content: pieces[i] }));
      onChunk?.(pieces[i]);
      i += 1;
      setTimeout(next, delayMs);
      return;
    }
    send(chunk({}, 'stop'));
    send({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: pieces.length, total_tokens: 3 + pieces.length },
    });
    send('[DONE]');
    res.end();
  };
  setTimeout(next, delayMs);
}

/**
 * A remote end that answers nothing until told: each call waits, under the key `keyOf` gives it, until
 * {@link answer}ed, so the task making it stays running. {@link answerAll} lets every call still waiting go.
 */
export class HeldCalls {
  private readonly held = new Map<string, ServerResponse>();

  constructor(server: LoopbackServer, keyOf: (req: RecordedRequest) => string) {
    server.handler = (req, res) => this.held.set(keyOf(req), res);
  }

  has(key: string): boolean {
    return this.held.has(key);
  }

  /** The call under `key` reached the remote end: its task has started, and waits there. */
  called(key: string): Promise<unknown> {
    return waitFor(async () => this.held.has(key), 15_000);
  }

  answer(key: string, status = 200): void {
    const res = this.held.get(key)!;
    this.held.delete(key);
    json(res, status, status === 200 ? { value: 1 } : { error: 'refused' });
  }

  answerAll(): void {
    for (const res of this.held.values()) json(res, 200, {});
    this.held.clear();
  }
}
