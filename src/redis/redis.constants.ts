/** Shared command connection (keys prefixed with REDIS_PREFIX). */
export const REDIS = Symbol('REDIS');
