import { describe, expect, it } from 'vitest';
import { nonPublicReason, SPECIAL_RANGES } from '../../native-host/src/engine/target-guard.js';

// Every range of the IANA IPv4 and IPv6 special-purpose registries, written out here on its own
// (not read from the table), with an address inside it that no more specific range covers.
const REGISTRY: Array<[cidr: string, inside: string, label: string]> = [
  ['0.0.0.0/8', '0.255.255.255', 'unspecified ("this network")'],
  ['0.0.0.0/32', '0.0.0.0', 'unspecified ("this host")'],
  ['10.0.0.0/8', '10.1.2.3', 'private'],
  ['100.64.0.0/10', '100.127.255.254', 'carrier-grade NAT'],
  ['127.0.0.0/8', '127.255.3.4', 'loopback'],
  ['169.254.0.0/16', '169.254.169.254', 'link-local'],
  ['172.16.0.0/12', '172.31.255.255', 'private'],
  ['192.0.0.0/24', '192.0.0.255', 'IETF protocol assignments'],
  ['192.0.0.0/29', '192.0.0.7', 'DS-Lite'],
  ['192.0.0.8/32', '192.0.0.8', 'IPv4 dummy address'],
  ['192.0.0.9/32', '192.0.0.9', 'Port Control Protocol anycast'],
  ['192.0.0.10/32', '192.0.0.10', 'TURN anycast'],
  ['192.0.0.170/31', '192.0.0.171', 'NAT64/DNS64 discovery'],
  ['192.0.2.0/24', '192.0.2.10', 'documentation'],
  ['192.31.196.0/24', '192.31.196.1', 'AS112 (reverse DNS sink)'],
  ['192.52.193.0/24', '192.52.193.9', 'AMT relay'],
  ['192.88.99.0/24', '192.88.99.1', 'deprecated 6to4 relay'],
  ['192.168.0.0/16', '192.168.1.1', 'private'],
  ['192.175.48.0/24', '192.175.48.6', 'AS112 direct delegation'],
  ['198.18.0.0/15', '198.19.255.1', 'benchmarking'],
  ['198.51.100.0/24', '198.51.100.7', 'documentation'],
  ['203.0.113.0/24', '203.0.113.9', 'documentation'],
  ['224.0.0.0/4', '224.0.0.251', 'multicast'],
  ['240.0.0.0/4', '250.1.2.3', 'reserved'],
  ['255.255.255.255/32', '255.255.255.255', 'limited broadcast'],
  ['::/128', '::', 'unspecified'],
  ['::1/128', '::1', 'loopback'],
  ['::/96', '::127.0.0.1', 'IPv4-compatible (deprecated)'],
  ['64:ff9b::/96', '64:ff9b::808:808', 'NAT64 (to 8.8.8.8)'],
  ['64:ff9b:1::/48', '64:ff9b:1:abcd::c000:0201', 'local-use NAT64 (to 192.0.2.1)'],
  ['100::/64', '100::1', 'discard-only'],
  ['100:0:0:1::/64', '100:0:0:1::5', 'dummy IPv6 prefix'],
  ['2001::/23', '2001:1ff::1', 'IETF protocol assignments'],
  ['2001::/32', '2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo (to 192.0.2.45)'],
  ['2001:1::1/128', '2001:1::1', 'Port Control Protocol anycast'],
  ['2001:1::2/128', '2001:1::2', 'TURN anycast'],
  ['2001:1::3/128', '2001:1::3', 'DNS-SD service registration anycast'],
  ['2001:2::/48', '2001:2:0:ffff::1', 'benchmarking'],
  ['2001:3::/32', '2001:3:1::1', 'AMT'],
  ['2001:4:112::/48', '2001:4:112::1', 'AS112 (reverse DNS sink)'],
  ['2001:10::/28', '2001:1f::1', 'ORCHID (deprecated)'],
  ['2001:20::/28', '2001:2f::1', 'ORCHIDv2'],
  ['2001:30::/28', '2001:3f::1', 'drone remote ID'],
  ['2001:db8::/32', '2001:db8::25', 'documentation'],
  ['2002::/16', '2002:c0a8:101::1', '6to4 (to 192.168.1.1)'],
  ['2620:4f:8000::/48', '2620:4f:8000::42', 'AS112 direct delegation'],
  ['3fff::/20', '3fff:fff::1', 'documentation'],
  ['5f00::/16', '5f00:1:2::3', 'SRv6 segment identifiers'],
  ['fc00::/7', 'fd00::1', 'unique local (private)'],
  ['fe80::/10', 'fe80::1', 'link-local'],
  ['fec0::/10', 'fec0::1', 'site-local (deprecated)'],
  ['ff00::/8', 'ff02::1', 'multicast'],
];

describe('nonPublicReason: every special-purpose range', () => {
  it.each(REGISTRY)('refuses %s (%s is "%s")', (_cidr, inside, label) => {
    expect(nonPublicReason(inside)).toBe(label);
  });

  it('has one table entry per registry range, and no other', () => {
    expect(SPECIAL_RANGES.map((range) => range.cidr).sort()).toEqual(REGISTRY.map(([cidr]) => cidr).sort());
  });
});

describe('nonPublicReason: addresses that embed an IPv4 address', () => {
  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:192.168.0.1', 'private'],
    ['::ffff:100.64.0.1', 'carrier-grade NAT'],
  ])('judges the IPv4-mapped %s by its IPv4 address (%s)', (ip, label) => {
    expect(nonPublicReason(ip)).toBe(label);
  });

  it.each([
    ['64:ff9b::7f00:1', 'NAT64 (to 127.0.0.1)'],
    ['64:ff9b::10.0.0.1', 'NAT64 (to 10.0.0.1)'],
    ['64:ff9b:1::a00:1', 'local-use NAT64 (to 10.0.0.1)'],
    ['2002:7f00:1::', '6to4 (to 127.0.0.1)'],
    ['2002:0808:0808::1', '6to4 (to 8.8.8.8)'],
    ['2001::ffff:ffff:80ff:fffe', 'Teredo (to 127.0.0.1)'],
  ])('refuses the translation address %s whatever it leads to (%s)', (ip, label) => {
    expect(nonPublicReason(ip)).toBe(label);
  });

  it('ignores a zone index', () => {
    expect(nonPublicReason('fe80::1%eth0')).toBe('link-local');
  });
});

describe('nonPublicReason: public addresses', () => {
  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '192.0.1.255',
    '192.0.3.1',
    '74.125.140.26',
    '2a00:1450:400c:c0b::1a',
    '2001:200::1',
    '2620:4f:7fff::1',
    '::ffff:8.8.8.8',
    '64:ff9a::1',
  ])('lets public %s through', (ip) => {
    expect(nonPublicReason(ip)).toBeNull();
  });

  it('rejects what is not an IP address', () => {
    expect(nonPublicReason('mx.example.com')).toBe('not an IP address');
  });
});
