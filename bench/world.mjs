// The benchmark's world, inside the private network and mount namespaces that run.mjs sets up:
//   - dnsmasq on 127.0.0.1:53, the resolver of /etc/resolv.conf there (bind-mounted), so every
//     tool, MX Lens and the npm peers alike, finds the domains through the system's resolver;
//   - domain d<j>.bench has one MX, mx.d<j>.bench, at its own loopback address (127.10.x.y);
//   - a latency fake (fake-mx.mjs) on port 25 of each of those addresses.
// Every process started here is stopped by stop().

import { execFileSync, spawn } from 'node:child_process';
import dns from 'node:dns/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { startFakeMx } from './fake-mx.mjs';
import { exitOf, stopChild } from './lib.mjs';

export const DNS_SERVER = '127.0.0.1';

export const domainName = (j) => `d${j}.bench`;
export const mxName = (j) => `mx.d${j}.bench`;
export const mxAddress = (j) => `127.10.${Math.floor(j / 250)}.${(j % 250) + 1}`;

function dnsmasqArgs(domainCount) {
  const records = [];
  for (let j = 0; j < domainCount; j++) {
    records.push(`--mx-host=${domainName(j)},${mxName(j)},10`, `--host-record=${mxName(j)},${mxAddress(j)}`);
  }
  return [
    'dnsmasq',
    '--no-daemon',
    '--port=53',
    `--listen-address=${DNS_SERVER}`,
    '--bind-interfaces',
    '--no-resolv',
    '--no-hosts',
    '--local=/bench/',
    ...records,
    // No config file, no pid file, stay root (keeps pdeathsig), log to our pipe.
    '--conf-file=/dev/null',
    '--pid-file',
    '--user=root',
    '--group=root',
    '--log-facility=-',
  ];
}

async function startDnsmasq(domainCount) {
  // setpriv --pdeathsig: dnsmasq dies with us even if we are killed before cleaning up.
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', ...dnsmasqArgs(domainCount)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (c) => (log = (log + c.toString()).slice(-10_000));
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let gone = false;
  void exitOf(child).then(() => (gone = true));

  const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([DNS_SERVER]);
  const last = domainName(domainCount - 1);
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && !gone) {
    try {
      if ((await resolver.resolveMx(last)).length > 0)
        return { stop: () => (child.kill('SIGTERM'), stopChild(child, 3_000)) };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  await exitOf(child);
  throw new Error(`dnsmasq did not answer for ${last} within 5 s:\n${log}`);
}

/** A throw-away self-signed certificate for STARTTLS (openssl, EC P-256: quick to make). */
function makeCertificate() {
  const dir = mkdtempSync(path.join(tmpdir(), 'mxlens-bench-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=mx.bench',
        '-days',
        '2',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    return tls.createSecureContext({ key: readFileSync(key), cert: readFileSync(cert) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Checks that /etc/resolv.conf is ours (run.mjs bind-mounts it), so the peers use dnsmasq. */
export function systemResolverIsOurs() {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8').trim() === `nameserver ${DNS_SERVER}`;
  } catch {
    return false;
  }
}

/**
 * Starts dnsmasq and `domainCount` fakes. `configure(settings)` sets, for the next run, the
 * delay and manners of every fake and which mailboxes exist (a Set of lowercased addresses).
 */
export async function startWorld(domainCount) {
  const secureContext = makeCertificate();
  const dnsmasq = await startDnsmasq(domainCount);
  let current = { delayMs: 20, pipelining: true, starttls: false, strict: false, mailboxes: new Set() };
  const fakes = [];
  try {
    for (let j = 0; j < domainCount; j++) {
      fakes.push(await startFakeMx({ host: mxAddress(j), name: mxName(j), secureContext, config: () => current }));
    }
  } catch (error) {
    await Promise.all(fakes.map((f) => f.close()));
    await dnsmasq.stop();
    throw error;
  }
  return {
    domainCount,
    configure(settings) {
      current = { ...current, ...settings };
      for (const fake of fakes) fake.resetStats();
    },
    /** Totals over all fakes since configure(), and the most sessions one MX had at once. */
    stats() {
      const total = {
        connections: 0,
        rcpt: 0,
        mail: 0,
        rset: 0,
        starttls: 0,
        errorLimitHangups: 0,
        maxPerMx: 0,
        openNow: 0,
      };
      for (const fake of fakes) {
        const s = fake.stats;
        total.connections += s.connections;
        total.rcpt += s.rcpt;
        total.mail += s.mail;
        total.rset += s.rset;
        total.starttls += s.starttls;
        total.errorLimitHangups += s.errorLimitHangups;
        total.maxPerMx = Math.max(total.maxPerMx, s.maxConcurrent);
        total.openNow += fake.open;
      }
      return total;
    },
    /**
     * Resolves when no session is open any more (a client may exit before the server has seen
     * every close), or after `timeoutMs` (a client that left a session open: counted as open).
     */
    async quiet(timeoutMs = 5_000) {
      let timer;
      const timeout = new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.all(fakes.map((f) => f.idle())), timeout]);
      clearTimeout(timer);
    },
    async stop() {
      await Promise.all(fakes.map((f) => f.close()));
      await dnsmasq.stop();
    },
  };
}
