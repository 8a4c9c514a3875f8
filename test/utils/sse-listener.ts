import http from 'node:http';

/** An open Server-Sent Events stream: its events as they come (the JSON data of each), until closed. */
export interface SseListener {
  events: { type: string; data: Record<string, unknown> }[];
  /** Whether the server has ended or cut the stream. */
  ended: boolean;
  /** Stops reading (the server's writes pile up), as a client that does not keep up. */
  pause(): void;
  close(): void;
}

/**
 * Opens `url` as a Server-Sent Events stream, with an access token or `{ apiKey }`; resolves once the response
 * headers came (the server listens).
 */
export function openSse(url: string, auth: string | { apiKey: string }): Promise<SseListener> {
  const credentials = typeof auth === 'string' ? { authorization: `Bearer ${auth}` } : { 'x-api-key': auth.apiKey };
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { ...credentials, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE ${url}: ${res.statusCode}`));
        res.resume();
        return;
      }
      const listener: SseListener = {
        events: [],
        ended: false,
        pause: () => res.pause(),
        close: () => req.destroy(),
      };
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data !== undefined)
            listener.events.push({ type: /^event: (.*)$/m.exec(block)?.[1] ?? 'message', data: JSON.parse(data) });
        }
      });
      const ended = (): void => {
        listener.ended = true;
      };
      res.on('end', ended);
      res.on('close', ended);
      res.on('error', ended);
      resolve(listener);
    });
    req.on('error', reject);
  });
}
