/** The outbound HTTP of agents, behind the private-network guard, for other features that call out (webhooks). */
export { NetworkGuard } from './outbound/network-guard';
export { OutboundHttpClient, retryAfterMs } from './outbound/outbound-http.client';
export { hasUserInfo } from './outbound/url-user-info';
