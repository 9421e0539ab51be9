import { isIPv4, isIPv6 } from 'node:net';

// Web pages choose which domains this host contacts, so an address like
// "x@intranet.example" must not turn the user's browser into a port-25 scanner of their
// own network. Every address we would connect to is checked here first.
//
// One table: every entry of the IANA IPv4 and IPv6 Special-Purpose Address Registries
// (https://www.iana.org/assignments/iana-ipv4-special-registry,
//  https://www.iana.org/assignments/iana-ipv6-special-registry), plus multicast, the old
// site-local and IPv4-compatible ranges. Even the "globally reachable" entries (NAT64, AS112,
// anycast services) are refused: none of them is a mail server, and NAT64/6to4/Teredo
// addresses lead to IPv4 hosts we cannot judge from here. The most specific range decides.

export interface SpecialRange {
  /** CIDR, as written in the registry. */
  cidr: string;
  label: string;
}

export const SPECIAL_RANGES: readonly SpecialRange[] = [
  // IPv4 special-purpose registry
  { cidr: '0.0.0.0/8', label: 'unspecified ("this network")' },
  { cidr: '0.0.0.0/32', label: 'unspecified ("this host")' },
  { cidr: '10.0.0.0/8', label: 'private' },
  { cidr: '100.64.0.0/10', label: 'carrier-grade NAT' },
  { cidr: '127.0.0.0/8', label: 'loopback' },
  { cidr: '169.254.0.0/16', label: 'link-local' },
  { cidr: '172.16.0.0/12', label: 'private' },
  { cidr: '192.0.0.0/24', label: 'IETF protocol assignments' },
  { cidr: '192.0.0.0/29', label: 'DS-Lite' },
  { cidr: '192.0.0.8/32', label: 'IPv4 dummy address' },
  { cidr: '192.0.0.9/32', label: 'Port Control Protocol anycast' },
  { cidr: '192.0.0.10/32', label: 'TURN anycast' },
  { cidr: '192.0.0.170/31', label: 'NAT64/DNS64 discovery' },
  { cidr: '192.0.2.0/24', label: 'documentation' },
  { cidr: '192.31.196.0/24', label: 'AS112 (reverse DNS sink)' },
  { cidr: '192.52.193.0/24', label: 'AMT relay' },
  { cidr: '192.88.99.0/24', label: 'deprecated 6to4 relay' },
  { cidr: '192.168.0.0/16', label: 'private' },
  { cidr: '192.175.48.0/24', label: 'AS112 direct delegation' },
  { cidr: '198.18.0.0/15', label: 'benchmarking' },
  { cidr: '198.51.100.0/24', label: 'documentation' },
  { cidr: '203.0.113.0/24', label: 'documentation' },
  { cidr: '224.0.0.0/4', label: 'multicast' },
  { cidr: '240.0.0.0/4', label: 'reserved' },
  { cidr: '255.255.255.255/32', label: 'limited broadcast' },
  // IPv6 special-purpose registry (and the address architecture)
  { cidr: '::/128', label: 'unspecified' },
  { cidr: '::1/128', label: 'loopback' },
  { cidr: '::/96', label: 'IPv4-compatible (deprecated)' },
  { cidr: '64:ff9b::/96', label: 'NAT64' },
  { cidr: '64:ff9b:1::/48', label: 'local-use NAT64' },
  { cidr: '100::/64', label: 'discard-only' },
  { cidr: '100:0:0:1::/64', label: 'dummy IPv6 prefix' },
  { cidr: '2001::/23', label: 'IETF protocol assignments' },
  { cidr: '2001::/32', label: 'Teredo' },
  { cidr: '2001:1::1/128', label: 'Port Control Protocol anycast' },
  { cidr: '2001:1::2/128', label: 'TURN anycast' },
  { cidr: '2001:1::3/128', label: 'DNS-SD service registration anycast' },
  { cidr: '2001:2::/48', label: 'benchmarking' },
  { cidr: '2001:3::/32', label: 'AMT' },
  { cidr: '2001:4:112::/48', label: 'AS112 (reverse DNS sink)' },
  { cidr: '2001:10::/28', label: 'ORCHID (deprecated)' },
  { cidr: '2001:20::/28', label: 'ORCHIDv2' },
  { cidr: '2001:30::/28', label: 'drone remote ID' },
  { cidr: '2001:db8::/32', label: 'documentation' },
  { cidr: '2002::/16', label: '6to4' },
  { cidr: '2620:4f:8000::/48', label: 'AS112 direct delegation' },
  { cidr: '3fff::/20', label: 'documentation' },
  { cidr: '5f00::/16', label: 'SRv6 segment identifiers' },
  { cidr: 'fc00::/7', label: 'unique local (private)' },
  { cidr: 'fe80::/10', label: 'link-local' },
  { cidr: 'fec0::/10', label: 'site-local (deprecated)' },
  { cidr: 'ff00::/8', label: 'multicast' },
];

interface ParsedRange {
  family: 4 | 6;
  network: bigint;
  prefix: number;
  label: string;
}

// Parsed on first use, not at start-up: parsing the IPv6 ranges costs the first isIPv6 call,
// which builds Node's IPv6 pattern, on the way to every command's first line of work.
let parsedRanges: readonly ParsedRange[] | null = null;

function ranges(): readonly ParsedRange[] {
  parsedRanges ??= SPECIAL_RANGES.map(({ cidr, label }) => {
    const [ip, prefix] = cidr.split('/') as [string, string];
    const parsed = ipToBits(ip)!;
    return { family: parsed.family, network: parsed.bits, prefix: Number(prefix), label };
  });
  return parsedRanges;
}

const MAPPED_PREFIX = 0xffffn << 32n; // ::ffff:0:0/96

/**
 * Why an IP address must not be contacted, or null when it is a public unicast address.
 * IPv4-mapped addresses (::ffff:a.b.c.d) are the IPv4 host itself and are judged by it;
 * translation prefixes (NAT64, 6to4, Teredo) are refused whatever they embed, and the label
 * names the embedded IPv4 address so the user sees where it would have led.
 */
export function nonPublicReason(ip: string): string | null {
  const parsed = ipToBits(ip);
  if (!parsed) return 'not an IP address';
  if (parsed.family === 6 && parsed.bits >> 32n === MAPPED_PREFIX >> 32n) {
    return nonPublicReason(bitsToIPv4(parsed.bits & 0xffffffffn));
  }
  const range = mostSpecificRange(parsed.family, parsed.bits);
  if (!range) return null;
  const embedded = embeddedIPv4(range.label, parsed.bits);
  return embedded ? `${range.label} (to ${embedded})` : range.label;
}

function mostSpecificRange(family: 4 | 6, bits: bigint): ParsedRange | null {
  const width = family === 4 ? 32 : 128;
  let best: ParsedRange | null = null;
  for (const range of ranges()) {
    if (range.family !== family || (best && best.prefix >= range.prefix)) continue;
    const shift = BigInt(width - range.prefix);
    if (bits >> shift === range.network >> shift) best = range;
  }
  return best;
}

/** The IPv4 address a translation address leads to (RFC 6052, 3056, 4380), for the message. */
function embeddedIPv4(label: string, bits: bigint): string | null {
  if (label === 'NAT64' || label === 'local-use NAT64') return bitsToIPv4(bits & 0xffffffffn);
  if (label === '6to4') return bitsToIPv4((bits >> 80n) & 0xffffffffn);
  if (label === 'Teredo') return bitsToIPv4(~bits & 0xffffffffn); // the client's address, bit-inverted
  return null;
}

// ---------------------------------------------------------------- parsing

function ipToBits(ip: string): { family: 4 | 6; bits: bigint } | null {
  if (isIPv4(ip)) return { family: 4, bits: ipv4Bits(ip) };
  if (!isIPv6(ip)) return null;
  const zoneless = ip.replace(/%.*$/, '');
  let text = zoneless;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4Bits(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, null];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === null || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === null ? 0 : missing).fill('0'), ...tailGroups];
  if (groups.length !== 8) return null;
  return { family: 6, bits: groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n) };
}

function ipv4Bits(ip: string): bigint {
  return ip.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function bitsToIPv4(bits: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((bits >> shift) & 0xffn)).join('.');
}
