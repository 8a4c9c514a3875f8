import type { Socket as TcpSocket } from 'node:net';
import type { Socket } from 'socket.io';

type Connection = Socket['conn'];

/**
 * The TCP socket under a connection's WebSocket transport (`ws` keeps it as `_socket`; Engine.IO itself reaches
 * into `ws` to send its pre-encoded frames). None under HTTP long-polling, whose responses carry all that waits.
 */
function tcpSocketOf(conn: Connection): TcpSocket | undefined {
  const transport = conn.transport as unknown as { name: string; socket?: { _socket?: TcpSocket | null } };
  return transport.name === 'websocket' ? (transport.socket?._socket ?? undefined) : undefined;
}

/**
 * Sends the packets waiting for a connection in one write. Engine.IO hands a connection's waiting packets to
 * its transport together (`flush` … `drain`, synchronously), but `ws` writes each as a frame of its own: a
 * system call and a TCP segment per event and client, which the client then reads one by one. With the
 * socket corked meanwhile, the frames leave together, each still a frame (and a packet) of its own, in order.
 * A connection that gets several events in one turn of the event loop gets the first at once and the others,
 * which waited for it, in one more write.
 */
export function sendFramesTogether(conn: Connection): void {
  let corked: TcpSocket | undefined;
  conn.on('flush', () => {
    corked = tcpSocketOf(conn);
    corked?.cork();
  });
  conn.on('drain', () => {
    corked?.uncork();
    corked = undefined;
  });
}
