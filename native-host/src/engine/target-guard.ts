import { BlockList, isIPv4, isIPv6 } from 'node:net';

// Web pages choose which domains this host contacts, so an address like
// "x@intranet.example" must not turn the user's browser into a port-25 scanner of their
// own network. Every address we would connect to is checked here first.

const NON_PUBLIC_V4: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'deprecated 6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const NON_PUBLIC_V6: Array<[string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible (deprecated)'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001::', 23, 'IETF protocol assignments'],
  ['2001:db8::', 32, 'documentation'],
  ['3fff::', 20, 'documentation'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

const rangesByLabel = buildRanges();

function buildRanges(): Array<{ list: BlockList; label: string }> {
  const entries = [
    ...NON_PUBLIC_V4.map(([net, prefix, label]) => ({ net, prefix, label, family: 'ipv4' as const })),
    ...NON_PUBLIC_V6.map(([net, prefix, label]) => ({ net, prefix, label, family: 'ipv6' as const })),
  ];
  return entries.map(({ net, prefix, label, family }) => {
    const list = new BlockList();
    list.addSubnet(net, prefix, family);
    return { list, label };
  });
}

/**
 * Why an IP address must not be contacted, or null when it is a public unicast address.
 * IPv4-mapped addresses (::ffff:a.b.c.d) are judged by their IPv4 address (BlockList does so).
 */
export function nonPublicReason(ip: string): string | null {
  const family = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : null;
  if (family === null) return 'not an IP address';
  for (const { list, label } of rangesByLabel) {
    if (list.check(ip, family)) return label;
  }
  return null;
}
