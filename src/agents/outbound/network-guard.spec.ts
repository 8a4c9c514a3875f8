import { TableResolver } from '../../../test/fakes/host-resolver';
import { loadConfig } from '../../config/app-config';
import { NetworkGuard } from './network-guard';

const resolver = new TableResolver({
  'internal.example': ['10.1.2.3'],
  'mixed.example': ['93.184.216.34', '127.0.0.1'],
  'public.example': ['93.184.216.34'],
  'dev.localhost': ['93.184.216.34'],
});
const guard = (allowPrivate: boolean) =>
  new NetworkGuard(loadConfig({ AGENT_ALLOW_PRIVATE_NETWORKS: String(allowPrivate) }), resolver);

describe('NetworkGuard', () => {
  it.each([
    ['http://127.1/', '127.0.0.1 is a private'],
    ['http://0x7f.0.0.1/', '127.0.0.1 is a private'],
    ['http://0.0.0.0/', '0.0.0.0 is a private'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 is a private'],
    ['http://[fe80::1]/', 'fe80::1 is a private'],
    ['http://[::127.0.0.1]:8080/', '::7f00:1 is a private'],
    ['http://[::10.0.0.1]/', '::a00:1 is a private'],
    ['http://[::8.8.8.8]/', '::808:808 is a private'],
    ['http://localhost:8080/', 'localhost resolves to a private'],
    ['http://dev.localhost/', 'dev.localhost resolves to a private'],
    ['http://internal.example/', 'internal.example resolves to a private'],
    ['http://mixed.example/', 'mixed.example resolves to a private'],
  ])('refuses %s as a target when private networks are off', async (url, message) => {
    await expect(guard(false).refusalOf(url)).resolves.toContain(message);
  });

  it('does not say what a refused name resolves to', async () => {
    const said = await guard(false).refusalOf('http://internal.example/');
    expect(said).toBe(
      'internal.example resolves to a private, loopback or link-local address (AGENT_ALLOW_PRIVATE_NETWORKS is off)',
    );
  });

  it('accepts public targets, names DNS cannot answer (the send decides), and anything while private is allowed', async () => {
    for (const url of ['https://public.example/', 'http://93.184.216.34/', 'https://unknown.example/']) {
      await expect(guard(false).refusalOf(url)).resolves.toBeUndefined();
    }
    await expect(guard(true).refusalOf('http://127.0.0.1/')).resolves.toBeUndefined();
  });

  it('refuses what no send could parse, a zone id among them, whether private networks are allowed or not', async () => {
    for (const allow of [false, true]) {
      for (const url of ['not a url', 'http://[fe80::fc:ff:fe00:1%25eth0]:18999/wh']) {
        await expect(guard(allow).refusalOf(url)).resolves.toBe('is not a URL that can be called');
      }
    }
  });

  it('refuses a localhost name on every connection without asking DNS, unless private networks are allowed', async () => {
    await expect(guard(false).resolveAllowed('dev.localhost')).rejects.toMatchObject({ code: 'TARGET_NOT_ALLOWED' });
    await expect(guard(true).resolveAllowed('dev.localhost')).resolves.toEqual({ address: '93.184.216.34', family: 4 });
    await expect(guard(false).resolveAllowed('unknown.example')).rejects.toMatchObject({
      code: 'HOST_NOT_FOUND',
      retryable: true,
    });
  });
});
