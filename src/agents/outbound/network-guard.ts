import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { nonRetryable } from '../agent-type';
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

/** Anything but public unicast: private, loopback, link-local (169.254.0.0/16, cloud metadata), CGNAT, … */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/**
 * Refuses outbound targets on private, loopback and link-local networks, checked on the resolved address
 * (the connection then uses exactly that address, so a second DNS answer cannot swap it), unless
 * AGENT_ALLOW_PRIVATE_NETWORKS=true.
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

  /** The address to connect to for `hostname`, or a non-retryable refusal. */
  async resolveAllowed(hostname: string): Promise<{ address: string; family: 4 | 6 }> {
    const bare = hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (isIP(bare)) {
      addresses = [bare];
    } else {
      try {
        addresses = await this.resolver.resolve(bare);
      } catch {
        throw nonRetryable('HOST_NOT_FOUND', `Cannot resolve ${bare}`);
      }
    }
    if (addresses.length === 0) throw nonRetryable('HOST_NOT_FOUND', `Cannot resolve ${bare}`);
    if (!this.allowsPrivate) {
      const refused = addresses.find((a) => !this.isAllowedAddress(a));
      if (refused) {
        throw nonRetryable(
          'TARGET_NOT_ALLOWED',
          `${bare} resolves to ${refused}, a private, loopback or link-local address (AGENT_ALLOW_PRIVATE_NETWORKS is off)`,
        );
      }
    }
    const address = addresses[0];
    return { address, family: isIP(address) === 6 ? 6 : 4 };
  }
}
