import { InvalidConfigError } from './config.errors';

/** A Redis Cluster to connect to: seed nodes (the client learns the rest from them), credentials, TLS. */
export interface RedisClusterConfig {
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  tls: boolean;
}

const URL_PARTS = /^(rediss?)(\+cluster)?:\/\/(?:([^@/]*)@)?([^/?#]*)/;

function parseNodes(list: string, setting: string): RedisClusterConfig['nodes'] {
  const nodes = list
    .split(',')
    .map((node) => node.trim())
    .filter(Boolean)
    .map((node) => {
      const match = /^([^\s:,]+):(\d{1,5})$/.exec(node);
      const port = Number(match?.[2]);
      if (!match || port < 1 || port > 65535)
        throw new InvalidConfigError(setting, `has a node that is not host:port: "${node}"`);
      return { host: match[1], port };
    });
  if (!nodes.length) throw new InvalidConfigError(setting, 'names no cluster node');
  return nodes;
}

/**
 * The cluster REDIS_URL or REDIS_CLUSTER_NODES select, or undefined for a single Redis server. A
 * `redis+cluster://[user:password@]host:port,host:port` URL (`rediss+cluster://` for TLS) names it all; with
 * REDIS_CLUSTER_NODES, the user, password and TLS (`rediss://`) of REDIS_URL apply to every node.
 */
export function redisClusterOf(url: string, nodeList: string | undefined): RedisClusterConfig | undefined {
  const match = URL_PARTS.exec(url.trim());
  if (!match) return undefined;
  const [, scheme, cluster, userInfo, hosts] = match;
  if (!cluster && !nodeList) return undefined;
  const nodes = nodeList ? parseNodes(nodeList, 'REDIS_CLUSTER_NODES') : parseNodes(hosts, 'REDIS_URL');
  const [user, ...password] = (userInfo ?? '').split(':');
  return {
    nodes,
    username: user ? decodeURIComponent(user) : undefined,
    password: password.length ? decodeURIComponent(password.join(':')) : undefined,
    tls: scheme === 'rediss',
  };
}
