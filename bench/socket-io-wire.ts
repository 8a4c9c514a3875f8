import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { rawRequest } from './raw-connection';

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
  /** An event packet's JSON (`["name", data]`): a view of the bytes read, valid during the call only. */
  onEvent(json: Buffer): void;
  onClose(): void;
}

const NAMESPACE = '/events';
const EVENT = `42${NAMESPACE},`;
const EVENT_BYTES = Buffer.from(EVENT);
const EMPTY = Buffer.alloc(0);

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

/**
 * Connects to the namespace with `token`, subscribes to `agentId`'s events and resolves once the server
 * acknowledged it; from then on `listener.onEvent` receives every event, in the order of the frames.
 */
export async function follow(apiUrl: string, token: string, agentId: string, listener: WireListener): Promise<Socket> {
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  /** A frame begun in one read and ended in a later one: a copy of its bytes so far. */
  let pending: Buffer = Buffer.alloc(0);
  let settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
  const subscribed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // Awaited once the handshake is through; refused before that, it is the handshake's error that is thrown.
  subscribed.catch(() => undefined);
  const { socket, head } = rawRequest(
    new URL(apiUrl),
    'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    (bytes) => {
      const data = pending.length ? Buffer.concat([pending, bytes]) : bytes;
      const used = read(data);
      pending = used < data.length ? Buffer.from(data.subarray(used)) : EMPTY;
    },
    () => {
      settle?.reject(new Error('closed before subscribing'));
      listener.onClose();
    },
  );
  const send = (packet: string): boolean => socket.write(textFrame(packet));

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

  /** The server's frames in `data` (unmasked, unfragmented: Engine.IO sends each packet as one): bytes used. */
  const read = (data: Buffer): number => {
    let at = 0;
    while (data.length - at >= 2) {
      const opcode = data[at] & 0x0f;
      let length = data[at + 1] & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        start += 2;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        start += 8;
      }
      if (data.length < start + length) break;
      const end = start + length;
      if (
        opcode === 1 &&
        length > EVENT_BYTES.length &&
        data.subarray(start, start + EVENT_BYTES.length).equals(EVENT_BYTES)
      )
        listener.onEvent(data.subarray(start + EVENT_BYTES.length, end));
      else if (opcode === 1) packet(data.toString('utf8', start, end));
      else if (opcode === 8) socket.end();
      at = end;
    }
    return at;
  };

  socket.on('error', () => undefined);
  const response = await head;
  if (!/^HTTP\/1\.1 101 /.test(response)) throw new Error(`WebSocket upgrade refused: ${response.split('\r\n')[0]}`);
  if (!new RegExp(`^sec-websocket-accept: *${accept.replace(/[+/=]/g, '\\$&')}$`, 'im').test(response))
    throw new Error('bad WebSocket handshake');
  await subscribed;
  return socket;
}
