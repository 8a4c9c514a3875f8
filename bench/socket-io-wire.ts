import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';

/**
 * A Socket.IO client of the namespace `/events` reduced to what (j)'s listeners do, speaking the protocol
 * itself (Engine.IO 4 over a WebSocket, as socket.io-client does with `transports: ['websocket']`): connect with
 * a token, subscribe to an agent's events in batches (`{agentId, batch: true}`, as the console does; and wait for
 * the acknowledgement), answer the server's pings, and hand each event packet to `onEvent` as it arrived, its
 * bytes unparsed (`["name", data]`; a `tasks.updated` array of events is one packet), so the caller decides when
 * to spend the parsing. The server sees the same connection and packets as from socket.io-client; the
 * listeners' process, which shares the machine with the platform it measures, spends a fraction of the CPU
 * socket.io-client spends per event (its chain of emitters, the packet decoder, the `ws` stream).
 */
interface WireListener {
  /** An event packet's JSON (`["name", data]`), a view of the bytes as received (the
   * socket's chunks are never reused, so the view may be kept). */
  onEvent(json: Buffer): void;
  onClose(): void;
}

const NAMESPACE = '/events';
const EVENT = `42${NAMESPACE},`;
const EVENT_BYTES = Buffer.from(EVENT);

/** A masked text frame (a client's frames must be masked) of the few, short packets a listener sends. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 0xffff) throw new Error('packet too long for this client');
  const short = payload.length < 126;
  const header = short ? 2 : 4;
  const frame = Buffer.alloc(header + 4 + payload.length);
  frame[0] = 0x81; // FIN, text
  frame[1] = 0x80 | (short ? payload.length : 126);
  if (!short) frame.writeUInt16BE(payload.length, 2);
  const mask = randomBytes(4);
  mask.copy(frame, header);
  for (let i = 0; i < payload.length; i += 1) frame[header + 4 + i] = payload[i] ^ mask[i % 4];
  return frame;
}

/** Opens the WebSocket of `apiUrl`'s Socket.IO server. */
function upgrade(apiUrl: string): Promise<{ socket: Socket; head: Buffer }> {
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  return new Promise((resolve, reject) => {
    const req = http.get(`${apiUrl}/socket.io/?EIO=4&transport=websocket`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
    });
    req.on('upgrade', (res, socket, head) => {
      if (res.headers['sec-websocket-accept'] !== accept) return reject(new Error('bad WebSocket handshake'));
      socket.setNoDelay(true);
      resolve({ socket, head });
    });
    req.on('response', (res) => reject(new Error(`WebSocket upgrade refused: ${res.statusCode}`)));
    req.on('error', reject);
  });
}

/**
 * Connects to the namespace with `token`, subscribes to `agentId`'s events and resolves once the server
 * acknowledged it; from then on `listener.onEvent` receives every event, in the order of the frames.
 */
export async function follow(apiUrl: string, token: string, agentId: string, listener: WireListener): Promise<Socket> {
  const { socket, head } = await upgrade(apiUrl);
  const send = (packet: string): boolean => socket.write(textFrame(packet));
  let pending: Buffer = head;
  let settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
  const subscribed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const packet = (text: string): void => {
    if (text === '2') send('3');
    else if (text.startsWith('0{')) send(`40${NAMESPACE},${JSON.stringify({ token })}`);
    else if (text.startsWith(`40${NAMESPACE},`))
      send(`42${NAMESPACE},1${JSON.stringify(['subscribe', { agentId, batch: true }])}`);
    else if (text.startsWith(`43${NAMESPACE},1`)) {
      const [reply] = JSON.parse(text.slice(`43${NAMESPACE},1`.length)) as [{ ok: boolean }];
      if (reply.ok) settle?.resolve();
      else settle?.reject(new Error(JSON.stringify(reply)));
    } else if (text.startsWith(`44${NAMESPACE},`)) settle?.reject(new Error(text));
  };

  /** The server's frames: unmasked, unfragmented (Engine.IO sends each packet as one). */
  const read = (): void => {
    let at = 0;
    while (pending.length - at >= 2) {
      const opcode = pending[at] & 0x0f;
      let length = pending[at + 1] & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (pending.length - at < 4) break;
        length = pending.readUInt16BE(at + 2);
        start += 2;
      } else if (length === 127) {
        if (pending.length - at < 10) break;
        length = Number(pending.readBigUInt64BE(at + 2));
        start += 8;
      }
      if (pending.length < start + length) break;
      const end = start + length;
      if (
        opcode === 1 &&
        length > EVENT_BYTES.length &&
        pending.subarray(start, start + EVENT_BYTES.length).equals(EVENT_BYTES)
      )
        listener.onEvent(pending.subarray(start + EVENT_BYTES.length, end));
      else if (opcode === 1) packet(pending.toString('utf8', start, end));
      else if (opcode === 8) socket.end();
      at = end;
    }
    pending = at === pending.length ? Buffer.alloc(0) : pending.subarray(at);
  };

  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    read();
  });
  socket.once('close', () => {
    settle?.reject(new Error('closed before subscribing'));
    listener.onClose();
  });
  socket.on('error', () => undefined);
  read();
  await subscribed;
  return socket;
}
