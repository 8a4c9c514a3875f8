import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { sparePort } from './spare-port';
import { waitFor } from './wait-for';

const run = promisify(execFile);

interface ClusterNode {
  port: number;
  busPort: number;
  dir: string;
  server?: ChildProcess;
}

interface OwnRedisClusterOptions {
  masters?: number;
  /** Replicas per master: with one, a master that dies is replaced by its replica. */
  replicas?: number;
  /** How long a node may not answer before the others count it failed (and its replica takes over). */
  nodeTimeoutMs?: number;
}

/**
 * A Redis Cluster a test owns: `redis-server` processes on spare loopback ports, made a cluster by
 * `redis-cli --cluster create`, each in a temporary directory of its own (its `nodes.conf`), all removed by
 * {@link stop}. Without persistence (`--save '' --appendonly no`): what keeps data through a master's death here
 * is its replica, which is what the tests look at; nothing is ever read back from disk, and a shared machine is
 * spared the writes.
 */
export class OwnRedisCluster {
  private readonly nodes: ClusterNode[] = [];
  private readonly options: Required<OwnRedisClusterOptions>;

  constructor(options: OwnRedisClusterOptions = {}) {
    this.options = { masters: 3, replicas: 1, nodeTimeoutMs: 1000, ...options };
  }

  /** The setting REDIS_CLUSTER_NODES takes. */
  get nodeList(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  async start(): Promise<void> {
    const count = this.options.masters * (1 + this.options.replicas);
    const taken = new Set<number>();
    const port = async (): Promise<number> => {
      for (;;) {
        const p = await sparePort();
        if (!taken.has(p)) return (taken.add(p), p);
      }
    };
    for (let i = 0; i < count; i++) {
      this.nodes.push({
        port: await port(),
        busPort: await port(),
        dir: mkdtempSync(join(tmpdir(), 'ymera-cluster-')),
      });
    }
    for (const node of this.nodes) this.launch(node);
    await Promise.all(this.nodes.map((node) => waitFor(() => this.ping(node.port), 10_000)));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...this.nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      String(this.options.replicas),
      '--cluster-yes',
    ]);
    await this.waitHealthy();
  }

  /** Every running node says `cluster_state:ok`, and every replica is in sync with its master. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => {
      for (const node of this.running()) {
        const info = await this.command(node.port, 'cluster', 'info');
        if (!String(info).includes('cluster_state:ok')) return false;
        const replication = String(await this.command(node.port, 'info', 'replication'));
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return false;
      }
      return true;
    }, timeoutMs);
  }

  /** The port of the master that serves `key`'s slot now. */
  async masterOf(key: string): Promise<number> {
    const [any] = this.running();
    const slot = Number(await this.command(any.port, 'cluster', 'keyslot', key));
    const ranges = (await this.command(any.port, 'cluster', 'slots')) as [number, number, [string, number]][];
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no master serves slot ${slot}`);
    return Number(range[2][1]);
  }

  /** Kills a node's process at once (SIGKILL): no goodbye to its clients nor to the cluster. */
  async kill(port: number): Promise<void> {
    const server = this.nodes.find((n) => n.port === port)?.server;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    server.kill('SIGKILL');
    await once(server, 'exit');
  }

  /** Starts a killed node again on its port and directory: empty (no persistence), with its `nodes.conf`. */
  async restart(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port)!;
    this.launch(node);
    await waitFor(() => this.ping(node.port), 10_000);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n.port)));
    for (const node of this.nodes) rmSync(node.dir, { recursive: true, force: true });
    this.nodes.length = 0;
  }

  private launch(node: ClusterNode): void {
    node.server = spawn(
      'redis-server',
      [
        '--port',
        String(node.port),
        '--cluster-port',
        String(node.busPort),
        '--bind',
        '127.0.0.1',
        '--dir',
        node.dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        String(this.options.nodeTimeoutMs),
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
  }

  private running(): ClusterNode[] {
    return this.nodes.filter((n) => n.server && n.server.exitCode === null && n.server.signalCode === null);
  }

  private async ping(port: number): Promise<boolean> {
    return (await this.command(port, 'ping')) === 'PONG';
  }

  /** One command to one node, on a connection of its own (no cluster client in between). */
  private async command(port: number, name: string, ...args: string[]): Promise<unknown> {
    const redis = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await redis.call(name, ...args);
    } finally {
      redis.disconnect();
    }
  }
}
