import { describe, expect, it } from 'vitest';
import { nonPublicReason } from '../../native-host/src/engine/target-guard.js';

describe('nonPublicReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.3.4', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'unique local (private)'],
    ['ff02::1', 'multicast'],
    ['2001:db8::25', 'documentation'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:192.168.0.1', 'private'],
    ['::127.0.0.1', 'IPv4-compatible (deprecated)'],
  ])('refuses %s (%s)', (ip, label) => {
    expect(nonPublicReason(ip)).toBe(label);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '74.125.140.26', '2a00:1450:400c:c0b::1a', '::ffff:8.8.8.8'])(
    'lets public %s through',
    (ip) => {
      expect(nonPublicReason(ip)).toBeNull();
    },
  );

  it('rejects what is not an IP address', () => {
    expect(nonPublicReason('mx.example.com')).toBe('not an IP address');
  });
});
