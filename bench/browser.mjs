// Browser figures in real Chromium with the built extension and the host registered in the
// profile (as test/e2e/browser.ts does), against the bench world (20 ms per reply):
//   - first verdict: a 12-address page, the host already warm (a first page started it);
//     from the page's `load` event to the first badge showing a final verdict. Badges may keep
//     their state in a closed shadow root, so the page is read through the DevTools protocol
//     (DOM.getDocument with pierce, polled back to back), which sees closed roots;
//   - long tasks on 5,000- and 50,000-address pages: a PerformanceObserver('longtask') added
//     before any page script, read once the renderer has been quiet for 2 s (at most 60 s), and
//     the renderer's main-thread busy time (CDP Performance.getMetrics TaskDuration), next to
//     the same page in a Chromium without MX Lens; a trace tells which long tasks ran the
//     content script.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MXLENS_BIN, ROOT, summarize } from './lib.mjs';
import { domainName } from './world.mjs';

const CHROMIUM = process.env.MXLENS_CHROMIUM ?? '/usr/bin/chromium';
const FINAL = new Set(['deliverable', 'undeliverable', 'risky', 'unknown']);
/** Where a badge has kept its state over time (data-verdict: inside its closed shadow root). */
const VERDICT_ATTRIBUTES = new Set(['verdict', 'data-state', 'data-verdict']);
const FIRST_VERDICT_RUNS = 5;
const POLL_MS = 5; // between DevTools reads of the page: the resolution of "first verdict"

const DOMAINS = 20;
const QUIET_MS = 2_000;
/** The big pages to measure (MXLENS_BENCH_BROWSER_PAGES=p50k: only that one, for a quicker look). */
const BIG_PAGES = (process.env.MXLENS_BENCH_BROWSER_PAGES ?? 'p5k,p50k').split(',').filter(Boolean);
/**
 * Rounds of the big pages, each loaded with and then without MX Lens (fresh addresses each
 * round); the round with the median busy-time ratio is reported: other sessions' load moves
 * single figures by ±20 %.
 */
const BIG_ROUNDS = Number(process.env.MXLENS_BENCH_BROWSER_ROUNDS ?? 3);
/** A folder to keep each big page's trace in (Chrome's JSON trace format, for DevTools or a script). */
const TRACE_DIR = process.env.MXLENS_BENCH_TRACE_DIR;
/** With the traces kept, V8's samples too (which function the time went to). */
const TRACE_SAMPLES = Boolean(TRACE_DIR) && process.env.MXLENS_BENCH_TRACE_SAMPLES === '1';
const SETTLE_MAX_MS = 60_000;

export const browserAvailable = () => existsSync(CHROMIUM);

/** Addresses for a page: a prefix per page so the extension's result cache never answers. */
export function pageAddresses(prefix, count) {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}@${domainName(i % DOMAINS)}`);
}

function pageHtml(addresses) {
  const rows = addresses.map((a, i) => `<p>Contact ${i}: ${a}</p>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body><h1>People</h1>\n${rows}\n</body></html>`;
}

async function startPageServer() {
  const pages = new Map();
  const server = http.createServer((request, response) => {
    const body = pages.get(new URL(request.url ?? '/', 'http://x').pathname);
    response.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(body ?? 'not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    add(pathname, addresses) {
      pages.set(pathname, pageHtml(addresses));
      return `${origin}${pathname}`;
    },
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

function buildExtension(dir) {
  const run = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'extension/vite.config.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, MXLENS_EXTENSION_OUT: dir },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (run.status !== 0) throw new Error(`extension build failed:\n${run.stdout}\n${run.stderr}`);
  return path.join(dir, 'chrome');
}

async function launch(root, name, extensionDir, env) {
  const { chromium } = await import('playwright-core');
  const home = path.join(root, `${name}-home`);
  const profile = path.join(root, `${name}-profile`);
  mkdirSync(home);
  mkdirSync(profile);
  const childEnv = {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
  };
  if (extensionDir) {
    const install = spawnSync(
      process.execPath,
      [MXLENS_BIN, 'install', '--dir', path.join(profile, 'NativeMessagingHosts')],
      { env: childEnv, encoding: 'utf8', timeout: 30_000 },
    );
    if (install.status !== 0) throw new Error(`mxlens install failed:\n${install.stdout}${install.stderr}`);
  }
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
  ];
  if (extensionDir) args.push(`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: extensionDir ? ['--disable-extensions'] : [],
    args,
    env: childEnv,
    viewport: { width: 1100, height: 760 },
    timeout: 60_000,
  });
  await context.addInitScript(() => {
    const tasks = [];
    globalThis.__benchLongTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  if (extensionDir) {
    const isOurs = (w) => w.url().startsWith('chrome-extension://');
    if (!context.serviceWorkers().some(isOurs))
      await context.waitForEvent('serviceworker', { predicate: isOurs, timeout: 30_000 });
  }
  return context;
}

/** Whether any element, closed shadow roots included, shows a final verdict. */
async function hasVerdict(cdp) {
  const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const stack = [root];
  while (stack.length) {
    const node = stack.pop();
    const attrs = node.attributes ?? [];
    for (let i = 0; i + 1 < attrs.length; i += 2) {
      if (VERDICT_ATTRIBUTES.has(attrs[i]) && FINAL.has(attrs[i + 1])) return true;
    }
    if (node.children) stack.push(...node.children);
    if (node.shadowRoots) stack.push(...node.shadowRoots);
    if (node.contentDocument) stack.push(node.contentDocument);
  }
  return false;
}

/** ms from the page's load event to the first final verdict (negative: before load). */
async function firstVerdictMs(context, url, timeoutMs = 30_000) {
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await page.goto(url, { waitUntil: 'commit' });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await hasVerdict(cdp)) {
        const t = await page.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          return { now: performance.now(), load: nav?.loadEventStart ?? 0 };
        });
        return t.load > 0 ? t.now - t.load : -1;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    throw new Error(`no verdict within ${timeoutMs} ms on ${url}`);
  } finally {
    await page.close();
  }
}

/**
 * A trace of the renderer's top-level tasks (category "toplevel"): the ground truth for tasks
 * over 50 ms, whatever world ran them (the page, or an extension's isolated world, which a
 * PerformanceObserver in the page may not be told about).
 */
async function startTrace(cdp) {
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  // devtools.timeline: the FunctionCall events that say whose script a task ran.
  await cdp.send('Tracing.start', {
    traceConfig: {
      // The sampling profiler costs time of its own: a run with it is for looking, not for the figures.
      includedCategories: [
        'toplevel',
        '__metadata',
        'devtools.timeline',
        ...(TRACE_SAMPLES ? ['disabled-by-default-v8.cpu_profiler'] : []),
      ],
      recordMode: 'recordAsMuchAsPossible',
    },
    transferMode: 'ReportEvents',
  });
  return {
    async stop(traceFile) {
      await cdp.send('Tracing.end');
      await complete;
      if (traceFile) writeFileSync(traceFile, JSON.stringify({ traceEvents: events }));
      const mainThreads = new Set(
        events
          .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
          .map((e) => `${e.pid}:${e.tid}`),
      );
      const byThread = new Map();
      const extensionCalls = [];
      for (const e of events) {
        const key = `${e.pid}:${e.tid}`;
        if (e.ph !== 'X' || !mainThreads.has(key)) continue;
        if (e.name === 'FunctionCall' && String(e.args?.data?.url ?? '').startsWith('chrome-extension://'))
          extensionCalls.push(e);
        if (!/RunTask$/.test(e.name)) continue;
        if (!byThread.has(key)) byThread.set(key, []);
        byThread.get(key).push(e);
      }
      // The page's renderer: the main thread that worked the most.
      const sum = (tasks) => tasks.reduce((total, e) => total + e.dur / 1000, 0);
      // The thread's own clock (tdur) where the event has one: other processes' load does not count.
      const cpu = (tasks) => tasks.reduce((total, e) => total + (e.tdur ?? e.dur) / 1000, 0);
      const busiest = [...byThread.values()].sort((a, b) => sum(b) - sum(a))[0] ?? [];
      const long = busiest.filter((e) => e.dur / 1000 > 50);
      // A long task is the extension's when it ran the content script (forced layouts in it included).
      const ours = long.filter((task) =>
        extensionCalls.some(
          (call) =>
            call.pid === task.pid && call.tid === task.tid && call.ts >= task.ts && call.ts < task.ts + task.dur,
        ),
      );
      const longest = (tasks) => (tasks.length ? Math.max(...tasks.map((e) => e.dur / 1000)) : 0);
      // Of ours, those over 50 ms of the thread's own time: a task the system left waiting is not one.
      const oursCpu = ours.filter((e) => (e.tdur ?? e.dur) / 1000 > 50);
      return {
        extensionLongCpuCount: oursCpu.length,
        extensionLongestCpuMs: oursCpu.length ? Math.max(...oursCpu.map((e) => (e.tdur ?? e.dur) / 1000)) : 0,
        tasks: busiest.length,
        busyMs: sum(busiest),
        busyCpuMs: cpu(busiest),
        longCount: long.length,
        longestMs: longest(long),
        longTotalMs: sum(long),
        extensionLongCount: ours.length,
        extensionLongestMs: longest(ours),
      };
    },
  };
}

/** Loads a page, waits until the renderer is quiet for QUIET_MS, returns long tasks and busy time. */
async function longTasks(context, url, traceName) {
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const trace = await startTrace(cdp);
    const started = Date.now();
    await page.goto(url, { waitUntil: 'load', timeout: SETTLE_MAX_MS });
    const busy = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
    let last = await busy();
    let quietSince = Date.now();
    while (Date.now() - quietSince < QUIET_MS && Date.now() - started < SETTLE_MAX_MS) {
      await new Promise((r) => setTimeout(r, 250));
      const now = await busy();
      if (now - last > 0.02) quietSince = Date.now();
      last = now;
    }
    const tasks = await page.evaluate(() => globalThis.__benchLongTasks ?? []);
    const durations = tasks.map((t) => t.duration);
    const traced = await trace.stop(TRACE_DIR && path.join(TRACE_DIR, `${traceName}.json`));
    return {
      count: tasks.length,
      longestMs: durations.length ? Math.max(...durations) : 0,
      totalMs: durations.reduce((a, b) => a + b, 0),
      traced,
      busyMs: last * 1000,
      settledAfterMs: Date.now() - started,
      timedOut: Date.now() - started >= SETTLE_MAX_MS,
    };
  } finally {
    await page.close();
  }
}

export async function browserBench(world, env, log = () => {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'mxlens-bench-browser-'));
  const pages = await startPageServer();
  const contexts = [];
  try {
    log('browser: building the extension');
    const extensionDir = buildExtension(path.join(root, 'extension'));
    const all = [];
    const urls = {};
    const addPage = (name, count) => {
      const addresses = pageAddresses(`${name}x`, count);
      all.push(...addresses);
      urls[name] = pages.add(`/${name}.html`, addresses);
    };
    addPage('warm', 12);
    for (let i = 0; i < FIRST_VERDICT_RUNS; i++) addPage(`first${i}`, 12);
    const sizes = { p5k: 5_000, p50k: 50_000 };
    for (const name of BIG_PAGES)
      for (let round = 0; round < BIG_ROUNDS; round++) addPage(`${name}r${round}`, sizes[name]);
    // Every other mailbox exists; the fakes answer in 20 ms.
    world.configure({
      delayMs: 20,
      pipelining: true,
      starttls: false,
      strict: false,
      mailboxes: new Set(all.filter((_, i) => i % 2 === 0)),
    });

    const browserEnv = { ...env, MXLENS_ALLOW_PRIVATE: '1' };
    log('browser: Chromium with MX Lens');
    const withExt = await launch(root, 'mxlens', extensionDir, browserEnv);
    contexts.push(withExt);
    const warm = await firstVerdictMs(withExt, urls.warm, 60_000);
    const samples = [];
    for (let i = 0; i < FIRST_VERDICT_RUNS; i++) samples.push(await firstVerdictMs(withExt, urls[`first${i}`]));
    log(`browser: first verdict ${samples.map((s) => s.toFixed(0)).join(' / ')} ms`);

    log('browser: Chromium without extensions');
    const plain = await launch(root, 'plain', null, browserEnv);
    contexts.push(plain);
    const big = {};
    for (const name of BIG_PAGES) {
      const rounds = [];
      for (let round = 0; round < BIG_ROUNDS; round++) {
        const url = urls[`${name}r${round}`];
        const mxlens = await longTasks(withExt, url, `${name}-r${round}-mxlens`);
        const without = await longTasks(plain, url, `${name}-r${round}-plain`);
        rounds.push({
          mxlens,
          plain: without,
          ratio: mxlens.traced.busyMs / without.traced.busyMs,
          cpuRatio: mxlens.traced.busyCpuMs / without.traced.busyCpuMs,
        });
        log(`browser: ${name} round ${round}: with ${JSON.stringify(mxlens)}; without ${JSON.stringify(without)}`);
      }
      const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
      const middle = median(rounds.map((r) => r.ratio));
      const cpuMiddle = median(rounds.map((r) => r.cpuRatio));
      big[name] = {
        ...rounds.find((r) => r.ratio === middle),
        ratios: rounds.map((r) => r.ratio),
        cpuRatios: rounds.map((r) => r.cpuRatio),
        cpuRatio: cpuMiddle,
        cpuRound: rounds.find((r) => r.cpuRatio === cpuMiddle),
      };
    }
    return { warmFirstMs: warm, firstVerdict: summarize(samples), samples, big };
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
    await pages.close();
    rmSync(root, { recursive: true, force: true });
  }
}
