// The whole test world in one call: dnsmasq + Postfix + every fake of world-map.ts, and on
// request the real MTAs with stock limits (a stock Postfix and Exim), which cost more to start.
//
//   const world = await startWorld();          // in beforeAll
//   const world = await startWorld({ stockPostfix: true, exim: true });   // + world.stockPostfix, world.exim
//   ... resolver = world.resolver(); world.fakes['mx.greylist.test'].sessions ...
//   await world.stop();                        // in afterAll (always runs, even on failure)
//
// Must run inside the loopback-only namespace that test/run-all.mjs sets up (port 25, 127.0.1.x).

import { promises as dns } from 'node:dns';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDns, type DnsHandle } from './dnsmasq.js';
import { startFakeSmtp, type FakeSmtp } from './fake-smtp.js';
import { startExim, type EximHandle } from './exim.js';
import { makeSelfSignedCert, startPostfix, type PostfixHandle } from './postfix.js';
import { WORLD_MAP, type WorldMap } from './world-map.js';

export type { EximHandle } from './exim.js';
export type { PostfixHandle } from './postfix.js';
export type { WorldMap } from './world-map.js';
export type { FakeSmtp, FakeSession } from './fake-smtp.js';

export interface World {
  map: WorldMap;
  /** `127.0.0.1:5353`: give it to Resolver#setServers / the verifier's DNS option. */
  dnsServer: string;
  dns: DnsHandle;
  /** The lenient Postfix (no error sleep, high error limits). */
  postfix: PostfixHandle;
  /** The stock Postfix of mx.stock.test; only with `stockPostfix: true`. */
  stockPostfix?: PostfixHandle;
  /** Exim of mx.exim.test; only with `exim: true`. */
  exim?: EximHandle;
  /** Fakes by server id (= host name), e.g. `world.fakes['mx.greylist.test']`. */
  fakes: Record<string, FakeSmtp>;
  /** A fresh node:dns Resolver that asks the world's dnsmasq. */
  resolver(): dns.Resolver;
  /** Forget what the fakes recorded (and greylist memory); call in beforeEach. */
  resetFakes(): void;
  /** Stops everything; safe to call twice. */
  stop(): Promise<void>;
}

export interface WorldOptions {
  /** dnsmasq --log-queries (see world.dns.log()). */
  logDnsQueries?: boolean;
  /** Also start the second Postfix, with Postfix's default error limits and error sleep. */
  stockPostfix?: boolean;
  /** Also start Exim (needs the unpacked binary, see exim.ts). */
  exim?: boolean;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const map = WORLD_MAP;
  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const stop of stoppers.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw new AggregateError(errors, 'stopping the test world failed');
  };

  try {
    const dnsHandle = await startDns(map, {
      host: map.dns.host,
      port: map.dns.port,
      logQueries: options.logDnsQueries,
    });
    stoppers.push(dnsHandle.stop);

    const postfixServers = map.servers.filter((s) => s.run.kind === 'postfix');
    const postfixStart = startPostfix({
      listeners: postfixServers.map((s) => ({ listen: `${s.ip}:${s.port}`, hostname: s.names[0] ?? s.id })),
      domains: map.postfix.domains,
      mailboxes: map.postfix.mailboxes,
    });

    const stockServer = map.servers.find((s) => s.run.kind === 'postfix-stock');
    const stockPostfixStart =
      options.stockPostfix && stockServer
        ? startPostfix({
            listeners: [{ listen: `${stockServer.ip}:${stockServer.port}`, hostname: stockServer.names[0] ?? stockServer.id }],
            domains: map.stockPostfix.domains,
            mailboxes: map.stockPostfix.mailboxes,
            errorHandling: 'stock',
          })
        : undefined;
    const eximServer = map.servers.find((s) => s.run.kind === 'exim');
    const eximStart =
      options.exim && eximServer
        ? startExim({
            listen: `${eximServer.ip}:${eximServer.port}`,
            hostname: eximServer.names[0] ?? eximServer.id,
            domains: map.exim.domains,
            mailboxes: map.exim.mailboxes,
          })
        : undefined;

    const tlsDir = await mkdtemp(path.join(os.tmpdir(), 'mxlens-fake-tls-'));
    stoppers.push(() => rm(tlsDir, { recursive: true, force: true }));
    const tls = await makeSelfSignedCert(tlsDir, 'mx.fake.test');

    const fakes: Record<string, FakeSmtp> = {};
    const fakeStarts = map.servers.map(async (server) => {
      if (server.run.kind !== 'fake') return;
      const fake = await startFakeSmtp({
        name: server.id,
        host: server.ip,
        port: server.port,
        behaviour: server.run.behaviour,
        tls: { key: tls.key, cert: tls.cert },
      });
      fakes[server.id] = fake;
      stoppers.push(fake.stop);
    });
    // Let every start settle, so whatever did start is registered for stopping.
    const [postfixResult, stockResult, eximResult, ...results] = await Promise.allSettled([
      postfixStart,
      stockPostfixStart,
      eximStart,
      ...fakeStarts,
    ]);
    for (const started of [postfixResult, stockResult, eximResult]) {
      if (started?.status === 'fulfilled' && started.value) stoppers.push(started.value.stop);
    }
    const failed = [postfixResult, stockResult, eximResult, ...results].find((r) => r?.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const postfix = (postfixResult as PromiseFulfilledResult<PostfixHandle>).value;
    const stockPostfix = (stockResult as PromiseFulfilledResult<PostfixHandle | undefined>).value;
    const exim = (eximResult as PromiseFulfilledResult<EximHandle | undefined>).value;

    let stopped: Promise<void> | undefined;
    return {
      map,
      dnsServer: dnsHandle.server,
      dns: dnsHandle,
      postfix,
      stockPostfix,
      exim,
      fakes,
      resolver() {
        const resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
        resolver.setServers([dnsHandle.server]);
        return resolver;
      },
      resetFakes() {
        for (const fake of Object.values(fakes)) fake.reset();
      },
      stop() {
        stopped ??= stopAll();
        return stopped;
      },
    };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}
