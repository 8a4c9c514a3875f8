/**
 * The outbound HTTP of agents, behind the private-network guard, for other features that call out (webhooks), and
 * the state of their circuit breakers (the dashboard).
 */
export { CircuitBreakers, type UnclosedBreaker } from './outbound/circuit-breakers';
export { NetworkGuard } from './outbound/network-guard';
export { OutboundHttpClient, retryAfterMs } from './outbound/outbound-http.client';
export { hasUserInfo } from './outbound/url-user-info';
