import type Redis from 'ioredis';
import { CircuitBreakers } from '../src/agents/outbound/circuit-breakers';
import { NetworkGuard } from '../src/agents/outbound/network-guard';
import { OutboundHttpClient } from '../src/agents/outbound/outbound-http.client';
import { HttpAgentType } from '../src/agents/types/http/http.agent-type';
import { executionContext } from './fakes/execution-context';
import { TableResolver } from './fakes/host-resolver';
import { json } from './utils/loopback-server';
import { type AgentKit, failure, remoteAgentsTestBed } from './utils/remote-agents';

describe('remote agents refuse private targets when AGENT_ALLOW_PRIVATE_NETWORKS is off', () => {
  const bed = remoteAgentsTestBed({ AGENT_ALLOW_PRIVATE_NETWORKS: 'false' });
  const { env, server } = bed;
  let redis: Redis;
  let base: string;
  let kit: AgentKit;
  const resolver = new TableResolver({ 'internal.test': ['10.1.2.3'], 'public.test': ['93.184.216.34'] });

  beforeAll(async () => ({ base, redis, kit } = await bed.start(resolver)));
  afterAll(() => bed.stop());

  it.each([
    'http://169.254.169.254/latest/meta-data',
    'http://127.0.0.1:8080/',
    'http://internal.test/hook',
    'http://[::1]/x',
    'http://[::ffff:127.0.0.1]/x',
  ])('refuses %s without connecting', async (url) => {
    const err = await failure(
      kit.http.execute(executionContext({}, { url, method: 'POST', timeoutMs: 1000 }, { agentId: 'ssrf' })),
    );
    expect(err).toMatchObject({ code: 'TARGET_NOT_ALLOWED', retryable: false });
  });

  it('checks every redirect target again', async () => {
    // Here the test's own loopback server stands in for a public host; everything else private stays refused.
    class LoopbackIsPublic extends NetworkGuard {
      protected override isAllowedAddress(address: string): boolean {
        return address === '127.0.0.1' || super.isAllowedAddress(address);
      }
    }
    const resolver = new TableResolver({ 'internal.test': ['10.1.2.3'] });
    const client = new OutboundHttpClient(new LoopbackIsPublic(env.config, resolver));
    const http = new HttpAgentType(client, new CircuitBreakers(env.config, redis));
    try {
      server.handler = (req, res) => {
        if (req.url === '/ok') return json(res, 200, { reached: true });
        res.writeHead(307, {
          location: req.url === '/to-metadata' ? 'http://169.254.169.254/latest' : 'http://internal.test/x',
        });
        res.end();
      };
      const config = (path: string) => ({ url: `${base}${path}`, method: 'POST' as const, timeoutMs: 1000 });
      await expect(http.execute(executionContext({}, config('/ok'), { agentId: 'redir' }))).resolves.toEqual({
        reached: true,
      });
      for (const path of ['/to-metadata', '/to-internal']) {
        const err = await failure(http.execute(executionContext({}, config(path), { agentId: 'redir' })));
        expect(err).toMatchObject({ code: 'TARGET_NOT_ALLOWED', retryable: false });
      }
    } finally {
      await client.onApplicationShutdown();
    }
  });
});
