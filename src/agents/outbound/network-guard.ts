import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { nonRetryable, retryable } from '../agent-type';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

/** Resolves a host name to addresses; a provider so tests can answer for names they own. */
export abstract class HostResolver {
  abstract resolve(hostname: string): Promise<string[]>;
}

@Injectable()
export class DnsHostResolver extends HostResolver {
  async resolve(hostname: string): Promise<string[]> {
    const records = await lookup(hostname, { all: true, verbatim: true });
    return records.map((r) => r.address);
  }
}

/**
 * Anything but public unicast: private, loopback, link-local (169.254.0.0/16, cloud metadata), CGNAT, … An
 * IPv4-compatible IPv6 address (`::a.b.c.d`, deprecated; a URL writes `[::127.0.0.1]` as `[::7f00:1]`) is no
 * public address either, whatever IPv4 address it carries.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  if (
    parsed.kind() === 'ipv6' &&
    parsed
      .toByteArray()
      .slice(0, 12)
      .every((b) => b === 0)
  )
    return false;
  return parsed.range() === 'unicast';
}

/** `localhost` and every name under it are loopback, whatever DNS says (RFC 6761 §6.3). */
const LOCALHOST_NAME = /(^|\.)localhost\.?$/i;

/** A URL's hostname without the brackets of an IPv6 literal. */
const bareHost = (hostname: string): string => hostname.replace(/^\[|\]$/g, '');

/**
 * The address a name resolved to is not said: whoever may configure a target would otherwise learn what the
 * platform's internal names stand for.
 */
function refusalMessage(host: string, address: string): string {
  const what = host === address ? `${host} is` : `${host} resolves to`;
  return `${what} a private, loopback or link-local address (AGENT_ALLOW_PRIVATE_NETWORKS is off)`;
}

/**
 * Refuses outbound targets on private, loopback and link-local networks, checked on the resolved address
 * (the connection then uses exactly that address, so a second DNS answer cannot swap it), unless
 * AGENT_ALLOW_PRIVATE_NETWORKS=true. The one place that decides which targets are refused: when a target is
 * configured ({@link refusalOf}) and on every connection ({@link resolveAllowed}).
 */
@Injectable()
export class NetworkGuard {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly resolver: HostResolver,
  ) {}

  get allowsPrivate(): boolean {
    return this.config.agents.allowPrivateNetworks;
  }

  protected isAllowedAddress(address: string): boolean {
    return isPublicAddress(address);
  }

  /**
   * The address to connect to for `hostname`; a refused address is a non-retryable refusal, and a name DNS cannot
   * answer for is retried like any network error (a record may come, or come back, and DNS itself may fail).
   */
  async resolveAllowed(hostname: string): Promise<{ address: string; family: 4 | 6 }> {
    const bare = bareHost(hostname);
    let addresses: string[];
    try {
      addresses = await this.addressesOf(bare);
    } catch {
      throw retryable('HOST_NOT_FOUND', `Cannot resolve ${bare}`);
    }
    if (addresses.length === 0) throw retryable('HOST_NOT_FOUND', `Cannot resolve ${bare}`);
    const refused = this.refusedOf(addresses);
    if (refused) throw nonRetryable('TARGET_NOT_ALLOWED', refusalMessage(bare, refused));
    const address = addresses[0];
    return { address, family: isIP(address) === 6 ? 6 : 4 };
  }

  /**
   * Why an agent may not be configured to call `url`, if it may not: it is no URL a send could parse (a zone
   * id, `[fe80::1%25eth0]`, passes a URL check but not Node's parser), or its host is, or now resolves to, an
   * address {@link resolveAllowed} would refuse. A host DNS cannot answer for now is left to the send, which
   * checks every connection again.
   */
  async refusalOf(url: string): Promise<string | undefined> {
    let bare: string;
    try {
      bare = bareHost(new URL(url).hostname);
    } catch {
      return 'is not a URL that can be called';
    }
    if (this.allowsPrivate) return undefined;
    const addresses = await this.addressesOf(bare).catch(() => []);
    const refused = this.refusedOf(addresses);
    return refused && refusalMessage(bare, refused);
  }

  /**
   * An IP literal is its own address (a URL has already turned `127.1` or `0x7f.0.0.1` into `127.0.0.1`); a
   * localhost name is loopback without asking DNS while private targets are refused; other names resolve.
   */
  private async addressesOf(bare: string): Promise<string[]> {
    if (isIP(bare)) return [bare];
    if (!this.allowsPrivate && LOCALHOST_NAME.test(bare)) return ['127.0.0.1'];
    return this.resolver.resolve(bare);
  }

  /** The first address refused, unless AGENT_ALLOW_PRIVATE_NETWORKS is on. */
  private refusedOf(addresses: string[]): string | undefined {
    return this.allowsPrivate ? undefined : addresses.find((a) => !this.isAllowedAddress(a));
  }
}
