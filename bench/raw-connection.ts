import net from 'node:net';

/** The buffer every connection of this process reads into: a read's bytes are handled before the next read. */
const READS = Buffer.allocUnsafe(256 * 1024);
const END_OF_HEAD = Buffer.from('\r\n\r\n');

/** A connection whose response head is awaited, and whose bytes after it go to a callback. */
export interface RawConnection {
  socket: net.Socket;
  /** The response's status line and headers, once they came; rejects if the connection ends before. */
  head: Promise<string>;
}

/**
 * Opens a TCP connection to `url`'s host, sends `request` (an HTTP/1.1 request's head, `Host` added) and hands
 * the bytes after the response's head to `onBytes` straight from each read, through no stream and no parser:
 * what a listener of (j) needs, at the least CPU per read (the listeners share the machine they measure).
 * `onBytes` gets a view of a buffer every connection reads into, valid during the call only: it copies what it
 * keeps. `onClose` runs once the connection is gone, however.
 */
export function rawRequest(
  url: URL,
  request: string,
  onBytes: (bytes: Buffer) => void,
  onClose: () => void,
): RawConnection {
  let head: Buffer | undefined = Buffer.alloc(0);
  let headRead: { resolve: (head: string) => void; reject: (err: Error) => void } | undefined;
  const headPromise = new Promise<string>((resolve, reject) => (headRead = { resolve, reject }));
  const socket = net.connect({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    noDelay: true,
    onread: {
      buffer: READS,
      callback: (nread: number, buffer: Uint8Array): boolean => {
        const bytes = (buffer as Buffer).subarray(0, nread);
        if (!head) {
          onBytes(bytes);
          return true;
        }
        head = Buffer.concat([head, bytes]);
        const end = head.indexOf(END_OF_HEAD);
        if (end < 0) return true;
        const rest = Buffer.from(head.subarray(end + END_OF_HEAD.length));
        const text = head.toString('latin1', 0, end);
        head = undefined;
        headRead?.resolve(text);
        if (rest.length) onBytes(rest);
        return true;
      },
    },
  });
  socket.on('connect', () => socket.write(request.replace('\r\n', `\r\nHost: ${url.host}\r\n`)));
  socket.on('error', (err) => headRead?.reject(err));
  socket.once('close', () => {
    headRead?.reject(new Error('connection closed before its response'));
    onClose();
  });
  return { socket, head: headPromise };
}
