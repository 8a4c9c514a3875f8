import { type SessionNews, openSessionChannel } from './session-channel';

/** Two tabs' ends of one channel, as the browser pairs BroadcastChannels of one name (never to the sender). */
function pair() {
  const ends: { onmessage: ((event: MessageEvent<unknown>) => void) | null; closed: boolean }[] = [];
  const create = () => {
    const end = {
      onmessage: null as ((event: MessageEvent<unknown>) => void) | null,
      closed: false,
      postMessage(data: unknown) {
        for (const other of ends)
          if (other !== end && !other.closed) other.onmessage?.({ data } as MessageEvent<unknown>);
      },
      close() {
        end.closed = true;
      },
    };
    ends.push(end);
    return end as unknown as BroadcastChannel;
  };
  return create;
}

describe('the session channel between tabs', () => {
  it('tells the other tabs, not the sender, of a sign-out and a sign-in', () => {
    const create = pair();
    const heard: Record<string, SessionNews[]> = { a: [], b: [] };
    const a = openSessionChannel((news) => heard.a.push(news), create);
    openSessionChannel((news) => heard.b.push(news), create);
    a.announce('signed-out');
    a.announce('signed-in');
    expect(heard).toEqual({ a: [], b: ['signed-out', 'signed-in'] });
  });

  it('ignores anything else sent on it, and a closed tab hears nothing', () => {
    const create = pair();
    const heard: SessionNews[] = [];
    const listening = openSessionChannel((news) => heard.push(news), create);
    const other = create();
    other.postMessage({ type: 'signed-out' });
    other.postMessage('sign-out');
    expect(heard).toEqual([]);
    listening.close();
    other.postMessage('signed-out');
    expect(heard).toEqual([]);
  });

  it('does nothing where the browser has no BroadcastChannel', () => {
    const channel = openSessionChannel(
      () => undefined,
      () => undefined,
    );
    expect(() => {
      channel.announce('signed-out');
      channel.close();
    }).not.toThrow();
  });
});
