import { EventEmitter } from 'node:events';
import type { Socket } from 'socket.io';
import { sendFramesTogether } from './frames-together';

/** An Engine.IO connection as far as the hook sees it: its events and its transport's TCP socket. */
function connection(transport: string) {
  const tcp = { corked: 0, cork: () => (tcp.corked += 1), uncork: () => (tcp.corked -= 1) };
  const conn = Object.assign(new EventEmitter(), { transport: { name: transport, socket: { _socket: tcp } } });
  sendFramesTogether(conn as unknown as Socket['conn']);
  return { conn, tcp };
}

describe('sendFramesTogether', () => {
  it('keeps the WebSocket corked while Engine.IO hands it the waiting packets', () => {
    const { conn, tcp } = connection('websocket');
    conn.emit('flush');
    expect(tcp.corked).toBe(1);
    conn.emit('drain');
    expect(tcp.corked).toBe(0);
    // A drain of its own (none started by a flush) leaves the socket alone.
    conn.emit('drain');
    expect(tcp.corked).toBe(0);
  });

  it('leaves HTTP long-polling alone', () => {
    const { conn, tcp } = connection('polling');
    conn.emit('flush');
    conn.emit('drain');
    expect(tcp.corked).toBe(0);
  });
});
