import type { Socket as TcpSocket } from 'node:net';
import type { Namespace, Socket } from 'socket.io';
import { Encoder, PacketType } from 'socket.io-parser';
import { WebSocket } from 'ws';

/** What of a connection's WebSocket transport a frame written past Engine.IO depends on. */
interface WebSocketTransport {
  name: string;
  writable: boolean;
  socket?: WebSocket & { _socket?: TcpSocket | null };
}

const encoder = new Encoder();

/** `ws`'s frame encoder, which Socket.IO's adapter pre-encodes broadcasts with (@types/ws leaves it out). */
const { Sender } = WebSocket as unknown as {
  Sender: {
    frame(
      data: Buffer,
      options: { readOnly: boolean; mask: boolean; rsv1: boolean; opcode: number; fin: boolean },
    ): Buffer[];
  };
};

/**
 * The connection's TCP socket when a frame may be written to it now without passing anything: the WebSocket
 * transport is open, Engine.IO has no packet waiting nor a write under way, and neither `ws` nor the TCP socket
 * holds bytes not yet taken by the kernel. Otherwise undefined, and the packet goes through Engine.IO.
 */
function idleTcpSocket(socket: Socket): TcpSocket | undefined {
  const conn = socket.conn as unknown as { readyState: string; upgrading: boolean; writeBuffer: unknown[] };
  if (conn.readyState !== 'open' || conn.upgrading || conn.writeBuffer.length > 0) return undefined;
  const transport = socket.conn.transport as unknown as WebSocketTransport;
  if (transport.name !== 'websocket' || !transport.writable) return undefined;
  const ws = transport.socket;
  if (ws?.readyState !== WebSocket.OPEN || ws.bufferedAmount > 0) return undefined;
  const tcp = ws._socket ?? undefined;
  return tcp && tcp.writable && tcp.writableCorked === 0 ? tcp : undefined;
}

/** The sockets of `rooms` on this instance, each once (as Socket.IO counts a socket in several of them). */
function membersOf(nsp: Namespace, rooms: string | readonly string[]): ReadonlySet<string> | undefined {
  if (typeof rooms === 'string') return nsp.adapter.rooms.get(rooms);
  let members: Set<string> | undefined;
  for (const room of rooms) {
    const inRoom = nsp.adapter.rooms.get(room);
    if (!inRoom?.size) continue;
    if (!members) members = new Set(inRoom);
    else for (const id of inRoom) members.add(id);
  }
  return members;
}

/**
 * Emits `event` with `data` to the sockets of `rooms` on this instance, as `nsp.to(rooms).emit(event, data)`
 * does (the same packet, encoded once, its WebSocket frame made once too), with less work: nothing at all
 * when no one here is in those rooms (Socket.IO would still encode it), and, per socket, a connection with
 * nothing waiting gets the frame written to its TCP socket at once, one write, where Engine.IO would make a
 * packet, emit its events and await the write's callback. Order holds: a frame is written so only when no
 * earlier packet of the connection waits anywhere; any other connection (one that is behind, upgrading, or
 * on HTTP long-polling) gets the packet through Socket.IO, which queues it after what waits and counts it
 * against the slow-reader limit. For the hot path of live events: every event, to thousands of listeners.
 * What the direct path leaves out, none of which this server uses: `onAnyOutgoing` listeners, a custom parser,
 * connection-state recovery and per-message compression.
 */
export function emitToRooms(nsp: Namespace, rooms: string | readonly string[], event: string, data: unknown): void {
  const members = membersOf(nsp, rooms);
  if (!members?.size) return;
  const packets = encoder.encode({ type: PacketType.EVENT, nsp: nsp.name, data: [event, data] });
  // Binary attachments take several packets (a header, then each buffer): Socket.IO sends those.
  const [encoded] = packets;
  if (packets.length !== 1 || typeof encoded !== 'string')
    return void nsp.to(rooms as string | string[]).emit(event, data);
  // Engine.IO's message packet ('4') as one unmasked text frame, as Socket.IO's adapter pre-encodes it.
  const frame = Buffer.concat(
    Sender.frame(Buffer.from(`4${encoded}`), { readOnly: false, mask: false, rsv1: false, opcode: 1, fin: true }),
  );
  let others: string[] | undefined;
  for (const id of members) {
    const socket = nsp.sockets.get(id);
    if (!socket) continue;
    const tcp = idleTcpSocket(socket);
    if (tcp) tcp.write(frame);
    else (others ??= []).push(id);
  }
  // Each socket is in the room of its own id.
  if (others) nsp.to(others).emit(event, data);
}
