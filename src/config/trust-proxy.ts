import { isIP } from 'node:net';
import { InvalidConfigError } from './config.errors';

/** The names Express's `trust proxy` (proxy-addr) knows for address ranges. */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, a CIDR (`10.0.0.0/8`, `fd00::/8`) or an IPv4 address with a netmask (`10.0.0.0/255.0.0.0`). */
function isAddressOrRange(entry: string): boolean {
  if (RANGE_NAMES.includes(entry)) return true;
  const [address, range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (range === undefined) return true;
  if (/^\d+$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  if (family !== 4 || isIP(range) !== 4) return false;
  // A netmask: ones, then zeros.
  const bits = range
    .split('.')
    .map((octet) => Number(octet).toString(2).padStart(8, '0'))
    .join('');
  return /^1*0*$/.test(bits);
}

/**
 * TRUST_PROXY as Express's `trust proxy` takes it: `true`/`false`, a hop count, or a comma-separated list
 * of addresses, CIDRs and the names loopback, linklocal, uniquelocal. Anything else is refused here, at start,
 * rather than when the HTTP app is built.
 */
export function parseTrustProxy(value: string): boolean | number | string {
  const v = value.trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  const bad = v
    .split(',')
    .map((entry) => entry.trim())
    .find((entry) => !isAddressOrRange(entry));
  if (bad !== undefined) {
    throw new InvalidConfigError(
      'TRUST_PROXY',
      `must be true, false, a number of proxies, or addresses/CIDRs (or loopback, linklocal, uniquelocal) ` +
        `separated by commas (got "${value}"${bad === v ? '' : `; "${bad}" is none of these`})`,
    );
  }
  return v;
}
