import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerificationResult } from '../../native-host/shared/result.js';
import { PROTOCOL_VERSION } from '../../native-host/shared/protocol/messages.js';
import { HostProcess } from '../harness/host.js';
import { useWorld, type World } from '../world/index.js';
import { runMxlens, VERIFY_IN_WORLD } from './cli.js';

// Port 25 DROPPED, as home ISPs and clouds do (not refused: every connect waits its full
// timeout). The CLI and the native host must conclude "outbound port 25 seems blocked" from the
// first connects that time out, say so in the verdicts, and stop waiting for the others.
// The namespace is shared by the test files of one run: the rule goes away in afterAll, always.

const TABLE = 'mxlens_port25_test';
/** Ten domains, each with its own single mail server. */
const DOMAINS = [
  'catchall',
  'greylist',
  'blocked',
  'tlsonly',
  'noehlo',
  'limited',
  'multiline',
  'garbage',
  'aonly',
  'tarpit',
];
const ADDRESSES = DOMAINS.map((domain) => `someone@${domain}.test`);
const TIMEOUT_MS = 2_000;
const CONCURRENCY = 2;

function dropPort25(): void {
  execFileSync('nft', ['add', 'table', 'inet', TABLE]);
  execFileSync('nft', ['add', 'chain', 'inet', TABLE, 'out', '{ type filter hook output priority 0; }']);
  execFileSync('nft', ['add', 'rule', 'inet', TABLE, 'out', 'tcp', 'dport', '25', 'drop']);
}

function allowPort25(): void {
  try {
    execFileSync('nft', ['delete', 'table', 'inet', TABLE], { stdio: 'ignore' });
  } catch {
    // Not there: nothing to remove.
  }
}

let world: World;
beforeAll(async () => {
  world = await useWorld();
  dropPort25();
});
afterAll(async () => {
  allowPort25();
  await world?.stop();
});

function expectBlockedNetwork(results: VerificationResult[]): void {
  expect(results).toHaveLength(ADDRESSES.length);
  for (const result of results) {
    expect(result, result.address).toMatchObject({ verdict: 'unknown', reason: 'port_blocked' });
    expect(result.detail).toMatch(/port 25 seems blocked/);
  }
}

describe('outbound port 25 dropped', () => {
  it('the CLI concludes "port blocked" from the first timeouts and answers the rest without waiting', async () => {
    const run = await runMxlens([
      ...VERIFY_IN_WORLD,
      '--timeout',
      String(TIMEOUT_MS),
      '--concurrency',
      String(CONCURRENCY),
      ...ADDRESSES,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expectBlockedNetwork(run.results);
    // Only the first sessions waited for their connects; everyone after them was not tried.
    const waited = run.results.filter((r) => r.rule === 'connect-timeouts-across-servers');
    const notTried = run.results.filter((r) => r.rule === 'network-port-blocked');
    expect(waited.length).toBeGreaterThanOrEqual(BLOCKED_EVIDENCE);
    expect(waited.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(notTried).toHaveLength(ADDRESSES.length - waited.length);
    expect(run.stderr.match(/seems blocked from this network/g)).toHaveLength(1);
  });

  it("a lone address gets the conclusion too: doctor's port-25 check is the second opinion", async () => {
    const run = await runMxlens(
      [...VERIFY_IN_WORLD, '--timeout', String(TIMEOUT_MS), 'someone@catchall.test'],
      // The second opinion asks this domain's mail server (another one than the address's).
      { env: { MXLENS_SERVE_PROBE_DOMAIN: 'greylist.test' } },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.results).toHaveLength(1);
    expect(run.results[0]).toMatchObject({
      verdict: 'unknown',
      reason: 'port_blocked',
      rule: 'connect-timeouts-across-servers',
    });
    expect(run.stderr).toMatch(/mx\.greylist\.test/);
  });

  it('the native host reports the blocked network, and a later verify in the same session fails fast', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'mxlens-port25-'));
    const host = new HostProcess({
      XDG_STATE_HOME: stateDir,
      MXLENS_DNS: '127.0.0.1:5353',
      MXLENS_ALLOW_PRIVATE: '1',
      MXLENS_TIMEOUT: String(TIMEOUT_MS),
      MXLENS_CONCURRENCY: String(CONCURRENCY),
    });
    const resultsOf = (id: string) => host.results(id).map((m) => m.result);
    try {
      const hello = await host.request(
        { type: 'hello', id: 'h', protocol: PROTOCOL_VERSION, extension: 'test' },
        'hello',
      );
      expect(hello).toMatchObject({ capabilities: expect.arrayContaining(['network']), network: [] });

      host.send({ type: 'verify', id: 'first', addresses: ADDRESSES });
      const network = await host.next((m) => m.type === 'network', 50_000);
      expect(network).toMatchObject({ id: null, network: [{ port: 25, proxy: null, family: 4, state: 'blocked' }] });
      await host.reply('first', 'done', 50_000);
      expectBlockedNetwork(resultsOf('first'));

      // The same host session: no connection is tried, every answer is the honest reason.
      await host.request(
        { type: 'verify', id: 'second', addresses: ADDRESSES.map((a) => a.replace('someone', 'other')) },
        'done',
        50_000,
      );
      const second = resultsOf('second');
      expectBlockedNetwork(second);
      expect(second.map((r) => r.rule)).toEqual(second.map(() => 'network-port-blocked'));

      const again = await host.request(
        { type: 'hello', id: 'h2', protocol: PROTOCOL_VERSION, extension: 'test' },
        'hello',
      );
      expect(again).toMatchObject({
        network: [{ port: 25, state: 'blocked', servers: expect.arrayContaining([expect.stringMatching(/\.test$/)]) }],
      });
    } finally {
      await host.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

/** Timeouts to this many servers (of as many domains) make the conclusion. */
const BLOCKED_EVIDENCE = 2;
