// Benchmark 3: one syntax-level verify of 10,000 addresses through `mxlens host` (the largest
// request the protocol allows). Clock: from writing the verify frame to reading `done`.
// Memory: the host's peak resident set (VmHWM in /proc/<pid>/status) read after `done`.
// Each run uses a fresh host process.

import { HELLO, procStatusKb, startHost, summarize } from './lib.mjs';

export const ADDRESSES = 10_000;
export const RUNS = 5;

/** A fixed mix: 6/10 plain valid, 1/10 role, 1/10 typo'd provider, 2/10 broken syntax. */
export function syntaxAddresses(count = ADDRESSES) {
  const list = [];
  for (let i = 0; i < count; i++) {
    switch (i % 10) {
      case 0:
        list.push(`user${i}@example${i % 100}.com`);
        break;
      case 1:
        list.push(`first.last+${i}@gmail.com`);
        break;
      case 2:
        list.push(`Person${i}@Sub.Example${i % 37}.org`);
        break;
      case 3:
        list.push(`info@company${i}.net`);
        break;
      case 4:
        list.push(`someone${i}@gmial.com`);
        break;
      case 5:
        list.push(`x${i}@mailinator.com`);
        break;
      case 6:
        list.push(`"quoted ${i}"@example.com`);
        break;
      case 7:
        list.push(`no-at-sign-${i}.example.com`);
        break;
      case 8:
        list.push(`double..dot${i}@example.com`);
        break;
      default:
        list.push(`ünïcode${i}@bücher.example`);
    }
  }
  return list;
}

async function verifyOnce(env, addresses) {
  const host = startHost(env);
  try {
    const hello = host.until((m) => m.id === HELLO.id, 10_000);
    host.send(HELLO);
    if ((await hello).type !== 'hello') throw new Error('no hello reply');

    const seen = new Uint8Array(addresses.length);
    let results = 0;
    let firstResultMs = null;
    const verdicts = {};
    const started = performance.now();
    const done = host.until(
      (m) => m.id === 'bench' && m.type !== 'result',
      120_000,
      (m) => {
        if (m.id !== 'bench' || m.type !== 'result') return;
        if (firstResultMs === null) firstResultMs = performance.now() - started;
        results++;
        seen[m.index]++;
        verdicts[m.result.verdict] = (verdicts[m.result.verdict] ?? 0) + 1;
      },
    );
    host.send({ type: 'verify', id: 'bench', addresses, options: { level: 'syntax' } });
    const end = await done;
    const elapsed = performance.now() - started;
    const peakKb = procStatusKb(host.child.pid, 'VmHWM');
    const rssKb = procStatusKb(host.child.pid, 'VmRSS');

    if (
      end.type !== 'done' ||
      end.count !== addresses.length ||
      results !== addresses.length ||
      seen.some((n) => n !== 1)
    ) {
      throw new Error(
        `expected ${addresses.length} results then done, got ${results} results then ${JSON.stringify(end)}`,
      );
    }
    return { ms: elapsed, firstResultMs, peakKb, rssKb, verdicts };
  } finally {
    await host.close();
  }
}

export async function syntaxVerify(env) {
  const addresses = syntaxAddresses();
  const requestBytes = Buffer.byteLength(
    JSON.stringify({ type: 'verify', id: 'bench', addresses, options: { level: 'syntax' } }),
  );
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await verifyOnce(env, addresses));
  const time = summarize(runs.map((r) => r.ms));
  return {
    addresses: addresses.length,
    requestBytes,
    time,
    perSecond: addresses.length / (time.median / 1000),
    firstResult: summarize(runs.map((r) => r.firstResultMs)),
    peakKb: runs.map((r) => r.peakKb),
    rssKb: runs.map((r) => r.rssKb),
    verdicts: runs[0].verdicts,
  };
}
