/**
 * What one tab of the console tells the others of the session they share (the refresh cookie is the browser's,
 * not the tab's): a sign-out ends it in every tab at once, and a sign-in brings the signed-out tabs back.
 */
export type SessionNews = 'signed-in' | 'signed-out';

export interface SessionChannel {
  announce(news: SessionNews): void;
  close(): void;
}

export const SESSION_CHANNEL = 'ymera:session';

/** A channel between the origin's tabs, or one that tells no one where the browser has no BroadcastChannel. */
export function openSessionChannel(
  onNews: (news: SessionNews) => void,
  create: (name: string) => BroadcastChannel | undefined = (name) =>
    typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(name),
): SessionChannel {
  const channel = create(SESSION_CHANNEL);
  if (!channel) return { announce: () => undefined, close: () => undefined };
  channel.onmessage = (event: MessageEvent<unknown>) => {
    // Only what a tab of the console sends: anything else on the channel is ignored.
    if (event.data === 'signed-in' || event.data === 'signed-out') onNews(event.data);
  };
  return {
    announce: (news) => channel.postMessage(news),
    close: () => channel.close(),
  };
}
