import type { Namespace } from 'socket.io';
import { WebSocket } from 'ws';
import { emitToRooms } from './room-frames';

interface FakeTcp {
  writable: boolean;
  writableCorked: number;
  written: Buffer[];
  write(frame: Buffer): boolean;
}

/** A connection as Engine.IO and `ws` keep it: idle unless the test says otherwise. */
function connection(
  overrides: {
    transport?: string;
    writable?: boolean;
    waiting?: number;
    buffered?: number;
    state?: string;
    upgrading?: boolean;
    wsState?: number;
    corked?: number;
  } = {},
) {
  const tcp: FakeTcp = {
    writable: true,
    writableCorked: overrides.corked ?? 0,
    written: [],
    write(frame) {
      this.written.push(frame);
      return true;
    },
  };
  const conn = {
    readyState: overrides.state ?? 'open',
    upgrading: overrides.upgrading ?? false,
    writeBuffer: Array.from({ length: overrides.waiting ?? 0 }),
    transport: {
      name: overrides.transport ?? 'websocket',
      writable: overrides.writable ?? true,
      socket: {
        readyState: overrides.wsState ?? WebSocket.OPEN,
        bufferedAmount: overrides.buffered ?? 0,
        _socket: tcp,
      },
    },
  };
  return { conn, tcp };
}

/** A namespace whose room holds `sockets`, recording what went through Socket.IO's own emit. */
function namespace(sockets: Record<string, ReturnType<typeof connection>>, rooms?: Record<string, string[]>) {
  const emitted: { to: string | string[]; event: string; data: unknown }[] = [];
  const members = Object.entries(rooms ?? { room: Object.keys(sockets) }).map(
    ([room, ids]) => [room, new Set(ids)] as const,
  );
  const nsp = {
    name: '/events',
    adapter: { rooms: new Map(members) },
    sockets: new Map(Object.entries(sockets).map(([id, { conn }]) => [id, { id, conn }])),
    to: (to: string | string[]) => ({ emit: (event: string, data: unknown) => emitted.push({ to, event, data }) }),
  };
  return { nsp: nsp as unknown as Namespace, emitted };
}

/** The text of an unmasked, unfragmented text frame. */
function textOf(frame: Buffer): string {
  expect(frame[0]).toBe(0x81);
  const short = frame[1] & 0x7f;
  const start = short === 126 ? 4 : short === 127 ? 10 : 2;
  return frame.subarray(start).toString('utf8');
}

describe('emitToRooms', () => {
  const events = [{ taskId: 't1', status: 'queued' }];

  it('writes the packet as one frame straight to each idle WebSocket connection', () => {
    const a = connection();
    const b = connection();
    const { nsp, emitted } = namespace({ a, b });
    emitToRooms(nsp, 'room', 'tasks.updated', events);
    expect(emitted).toEqual([]);
    for (const { tcp } of [a, b]) {
      expect(tcp.written).toHaveLength(1);
      expect(textOf(tcp.written[0])).toBe(`42/events,${JSON.stringify(['tasks.updated', events])}`);
    }
    // Encoded once: every connection gets the same bytes.
    expect(a.tcp.written[0]).toBe(b.tcp.written[0]);
  });

  it('hands a connection with anything waiting, or not on an open WebSocket, to Socket.IO, after what waits', () => {
    const idle = connection();
    const others = {
      queued: connection({ waiting: 1 }),
      writing: connection({ writable: false }),
      buffered: connection({ buffered: 10 }),
      polling: connection({ transport: 'polling' }),
      closing: connection({ state: 'closing' }),
      upgrading: connection({ upgrading: true }),
      wsClosing: connection({ wsState: WebSocket.CLOSING }),
      corked: connection({ corked: 1 }),
    };
    others.polling.conn.transport.socket = undefined as never;
    const { nsp, emitted } = namespace({ idle, ...others });
    emitToRooms(nsp, 'room', 'tasks.updated', events);
    expect(idle.tcp.written).toHaveLength(1);
    for (const { tcp } of Object.values(others)) expect(tcp.written).toEqual([]);
    expect(emitted).toEqual([{ to: Object.keys(others), event: 'tasks.updated', data: events }]);
  });

  it('sends a socket in several of the rooms the packet once, and the others theirs', () => {
    const [both, first, second, elsewhere] = [connection(), connection(), connection(), connection()];
    const { nsp, emitted } = namespace(
      { both, first, second, elsewhere },
      { a: ['both', 'first'], b: ['both', 'second'], c: ['elsewhere'], empty: [] },
    );
    emitToRooms(nsp, ['a', 'b', 'empty', 'unknown'], 'task.updated', events[0]);
    expect([both, first, second, elsewhere].map(({ tcp }) => tcp.written.length)).toEqual([1, 1, 1, 0]);
    expect(emitted).toEqual([]);
  });

  it('hands a packet with binary data to Socket.IO whole: its attachments follow its header', () => {
    const idle = connection();
    const { nsp, emitted } = namespace({ idle });
    const data = { bytes: Buffer.from([1, 2, 3]) };
    emitToRooms(nsp, 'room', 'blob', data);
    expect(idle.tcp.written).toEqual([]);
    expect(emitted).toEqual([{ to: 'room', event: 'blob', data }]);
  });

  it('sends nothing to a room with no one in it', () => {
    const { nsp, emitted } = namespace({});
    emitToRooms(nsp, 'room', 'tasks.updated', events);
    emitToRooms(nsp, 'elsewhere', 'tasks.updated', events);
    expect(emitted).toEqual([]);
  });
});
