// The test world, in two parts:
//  - the daemons (dnsmasq, the lenient Postfix, the stock Postfix, Exim): started ONCE per run by
//    the integration project's global setup (test/harness/global-setup.ts, startWorldDaemons), which
//    hands their places to the test files through vitest's provide/inject;
//  - the programmable fakes of world-map.ts: each test file starts them in its own process
//    (useWorld), because tests read what a fake recorded right there, and they start in moments.
//
//   let world: World;
//   beforeAll(async () => { world = await useWorld(); });
//   afterAll(() => world?.stop());        // this file's fakes; the daemons stay up for the run
//   beforeEach(() => world.resetFakes());
//   ... resolver = world.resolver(); world.fakes['mx.greylist.test'].sessions ...
//
// Must run inside the loopback-only namespace that test/run-all.mjs sets up (port 25, 127.0.1.x).

import { promises as dns } from 'node:dns';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { startDns } from './dnsmasq.js';
import { startFakeSmtp, type FakeSmtp } from './fake-smtp.js';
import { eximAt, startExim, type EximPlace, type EximView } from './exim.js';
import { makeSelfSignedCert, postfixAt, startPostfix, type PostfixPlace, type PostfixView } from './postfix.js';
import { WORLD_MAP, type WorldMap, type WorldServer } from './world-map.js';

export type { WorldMap } from './world-map.js';
export type { FakeSession } from './fake-smtp.js';

/** Where the run's daemons are: what the global setup provides to every test file. */
export interface WorldPlace {
  dnsServer: string;
  postfix: PostfixPlace;
  stockPostfix: PostfixPlace;
  exim: EximPlace | { problem: string };
  /** The key and certificate the fakes offer with STARTTLS. */
  fakeTls: { key: string; cert: string };
}

declare module 'vitest' {
  interface ProvidedContext {
    testWorld: { ok: true; place: WorldPlace } | { ok: false; problem: string };
  }
}

export interface World {
  map: WorldMap;
  /** `127.0.0.1:5353`: give it to Resolver#setServers / the verifier's DNS option. */
  dnsServer: string;
  /** The lenient Postfix (no error sleep, high error limits). */
  postfix: PostfixView;
  /** The stock Postfix of mx.stock.test (Postfix's default error limits and error sleep). */
  stockPostfix: PostfixView;
  /** Exim of mx.exim.test (throws why when it did not start). */
  readonly exim: EximView;
  /** Fakes by server id (= host name), e.g. `world.fakes['mx.greylist.test']`. */
  fakes: Record<string, FakeSmtp>;
  /** A fresh node:dns Resolver that asks the world's dnsmasq. */
  resolver(): dns.Resolver;
  /** Forget what the fakes recorded (and greylist memory); call in beforeEach. */
  resetFakes(): void;
  /** Stops this file's fakes; safe to call twice. */
  stop(): Promise<void>;
}

/** Stop functions, run in reverse order, all of them even when some fail. */
class Stoppers {
  private readonly list: Array<() => Promise<void>> = [];

  /** Registers the stop of whatever `starting` starts, once it has started. */
  async track<T extends { stop(): Promise<void> }>(starting: Promise<T>): Promise<T> {
    const started = await starting;
    this.list.push(started.stop);
    return started;
  }

  add(stop: () => Promise<void>): void {
    this.list.push(stop);
  }

  async stopAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const stop of this.list.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw new AggregateError(errors, 'stopping the test world failed');
  }
}

/** Like Promise.all, but lets every start settle first, so whatever did start is registered for stopping. */
async function allStarted<T extends readonly unknown[] | []>(
  starts: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as never;
}

function serverOf(map: WorldMap, kind: WorldServer['run']['kind']): WorldServer {
  const server = map.servers.find((s) => s.run.kind === kind);
  if (!server) throw new Error(`world-map.ts has no ${kind} server`);
  return server;
}

const listenerOf = (server: WorldServer) => ({
  listen: `${server.ip}:${server.port}`,
  hostname: server.names[0] ?? server.id,
});
const placeOf = ({ dir, configDir, logFile, listeners }: PostfixPlace): PostfixPlace => ({
  dir,
  configDir,
  logFile,
  listeners,
});

/** The daemons of the world, once per run (the global setup). */
export async function startWorldDaemons(
  map: WorldMap = WORLD_MAP,
): Promise<{ place: WorldPlace; stop(): Promise<void> }> {
  const stoppers = new Stoppers();
  try {
    const dnsHandle = await stoppers.track(startDns(map, { host: map.dns.host, port: map.dns.port }));
    const tlsDir = await mkdtemp(path.join(os.tmpdir(), 'mxlens-fake-tls-'));
    stoppers.add(() => rm(tlsDir, { recursive: true, force: true }));
    const eximServer = serverOf(map, 'exim');
    const [postfix, stockPostfix, exim, fakeTls] = await allStarted([
      stoppers.track(
        startPostfix({
          listeners: map.servers.filter((s) => s.run.kind === 'postfix').map(listenerOf),
          domains: map.postfix.domains,
          mailboxes: map.postfix.mailboxes,
        }),
      ),
      stoppers.track(
        startPostfix({
          listeners: [listenerOf(serverOf(map, 'postfix-stock'))],
          domains: map.stockPostfix.domains,
          mailboxes: map.stockPostfix.mailboxes,
          errorHandling: 'stock',
        }),
      ),
      // Exim needs real root (it switches users): without it only the files that ask for Exim fail.
      stoppers
        .track(
          startExim({
            listen: `${eximServer.ip}:${eximServer.port}`,
            hostname: eximServer.names[0] ?? eximServer.id,
            domains: map.exim.domains,
            mailboxes: map.exim.mailboxes,
          }),
        )
        .then(
          ({ dir, listen }): WorldPlace['exim'] => ({ dir, listen }),
          (err: unknown): WorldPlace['exim'] => ({ problem: err instanceof Error ? err.message : String(err) }),
        ),
      makeSelfSignedCert(tlsDir, 'mx.fake.test'),
    ]);
    return {
      place: {
        dnsServer: dnsHandle.server,
        postfix: placeOf(postfix),
        stockPostfix: placeOf(stockPostfix),
        exim,
        fakeTls: { key: fakeTls.key, cert: fakeTls.cert },
      },
      stop: () => stoppers.stopAll(),
    };
  } catch (err) {
    await stoppers.stopAll().catch(() => undefined);
    throw err;
  }
}

/** This file's view of the run's world: the daemons the global setup started, and fresh fakes. */
export function useWorld(): Promise<World> {
  const world = inject('testWorld');
  if (!world)
    throw new Error(
      'the test world is not running: run the file through `npm test` (the global setup of vitest.config.ts starts it)',
    );
  if (!world.ok) throw new Error(`the test world did not start: ${world.problem}`);
  return attachWorld(world.place);
}

/** Starts the fakes of `map` in this process, next to the daemons at `place`. */
async function attachWorld(place: WorldPlace, map: WorldMap = WORLD_MAP): Promise<World> {
  const stoppers = new Stoppers();
  let started: FakeSmtp[];
  try {
    started = await allStarted(
      map.servers.flatMap((server) =>
        server.run.kind === 'fake'
          ? [
              stoppers.track(
                startFakeSmtp({
                  name: server.id,
                  host: server.ip,
                  port: server.port,
                  behaviour: server.run.behaviour,
                  tls: place.fakeTls,
                }),
              ),
            ]
          : [],
      ),
    );
  } catch (err) {
    await stoppers.stopAll().catch(() => undefined);
    throw err;
  }
  const fakes = Object.fromEntries(started.map((fake) => [fake.name, fake]));
  let stopped: Promise<void> | undefined;
  return {
    map,
    dnsServer: place.dnsServer,
    postfix: postfixAt(place.postfix),
    stockPostfix: postfixAt(place.stockPostfix),
    get exim(): EximView {
      if ('problem' in place.exim) throw new Error(`Exim did not start: ${place.exim.problem}`);
      return eximAt(place.exim);
    },
    fakes,
    resolver() {
      const resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
      resolver.setServers([place.dnsServer]);
      return resolver;
    },
    resetFakes() {
      for (const fake of started) fake.reset();
    },
    stop() {
      stopped ??= stoppers.stopAll();
      return stopped;
    },
  };
}
