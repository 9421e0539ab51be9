// End-to-end helpers: a loopback page server for the fixture pages, the process tools both
// browser drivers use, and the Chromium driver: Debian's /usr/bin/chromium, driven by
// playwright-core, with the run's build of MX Lens loaded (test/harness/extension.ts) and, unless
// told otherwise, the native host installed into its profile. firefox.ts is the Firefox driver.
//
//   const server = await startPageServer();
//   const browser = await launchChromiumWithMxlens({ env: WORLD_ENV });
//   const page = await browser.openPage(server.url('/pages/plain-text.html'));
//   ...
//   await browser.close(); await server.close();
//
// Everything listens on 127.0.0.1 only; tests run inside the loopback-only namespace that
// test/run-all.mjs sets up.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Frame, type Logger, type Page, type Worker } from 'playwright-core';
import { builtExtension } from '../harness/extension.js';
import { startedForScope } from '../harness/scope.js';
import { useWorld } from '../world/index.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.MXLENS_CHROMIUM ?? '/usr/bin/chromium';
const FIXTURE_PAGES = path.join(REPO, 'test/fixtures/pages');
export const SCREENSHOTS_DIR = path.join(REPO, 'test-results/screenshots');
const MXLENS_BIN = path.join(REPO, 'native-host/bin/mxlens.mjs');

/** What the host needs to use the test world (a browser passes its environment to the host). */
// The browser files ask the world's few domains far more often in a minute than a person would;
// the host's budgets (which would answer "rate_limited") are proven in privacy.test.ts.
export const WORLD_ENV = {
  MXLENS_DNS: '127.0.0.1:5353',
  MXLENS_ALLOW_PRIVATE: '1',
  MXLENS_DOMAIN_SESSIONS_PER_MINUTE: '0',
  MXLENS_DOMAIN_RCPTS_PER_MINUTE: '0',
  MXLENS_MX_SESSIONS_PER_MINUTE: '0',
  MXLENS_MX_RCPTS_PER_MINUTE: '0',
  MXLENS_SITE_CHECKS_PER_MINUTE: '0',
} as const;

/**
 * The badges the content script adds: `<mxlens-badge>` elements (left undefined in Chrome's
 * isolated world, which has no custom element registry) carrying our marker attribute. They say
 * nothing else to the page: what a badge shows is read inside its closed shadow root, through
 * the DevTools protocol (badgesIn).
 */
export const BADGE = 'mxlens-badge[data-mxlens="badge"]';
export const CARD = '[data-mxlens="card"]';

// ------------------------------------------------------------------------- the extension

/** The development ID Chromium gives the unpacked build: from manifest.json's "key". */
export function extensionIdFromManifest(): string {
  const manifest = JSON.parse(readFileSync(path.join(REPO, 'manifest.json'), 'utf8')) as { key?: string };
  if (!manifest.key) throw new Error('manifest.json has no "key": the extension ID would not be fixed');
  const hex = createHash('sha256').update(Buffer.from(manifest.key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

// ------------------------------------------------------------------------- the page server

export interface PageServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  url(pathname: string): string;
  /** Serves `html` at `pathname` (a test's own page). */
  addPage(pathname: string, html: string): void;
  close(): Promise<void>;
}

/** A same-origin iframe: addresses in the top document and inside the frame. */
const BUILT_IN_PAGES: Record<string, string> = {
  '/frames/parent.html': `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Frames — Acme Test Supplies</title></head>
<body>
  <h1>Our offices</h1>
  <p id="top-text">Head office: bob@acme.test</p>
  <iframe id="office" src="/frames/child.html" title="Branch office" width="600" height="200"></iframe>
</body></html>
`,
  '/frames/child.html': `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Branch office</title></head>
<body>
  <p id="frame-text">Branch office: alice@acme.test</p>
  <p id="frame-old">Old branch (closed): nobody@acme.test</p>
</body></html>
`,
};

/** Serves test/fixtures/pages at /pages/<name>.html, the frame pages, and pages tests add. */
export async function startPageServer(): Promise<PageServer> {
  const extra = new Map<string, string>(Object.entries(BUILT_IN_PAGES));
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    let body: string | undefined = extra.get(pathname);
    const fixture = /^\/pages\/([a-z0-9-]+\.html)$/.exec(pathname);
    if (body === undefined && fixture?.[1] && existsSync(path.join(FIXTURE_PAGES, fixture[1]))) {
      body = readFileSync(path.join(FIXTURE_PAGES, fixture[1]), 'utf8');
    }
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('not found\n');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (pathname) => `${origin}${pathname}`,
    addPage: (pathname, html) => void extra.set(pathname, html),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ------------------------------------------------------------------------- processes

export interface ProcInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

/** Every process on this machine, from /proc (Linux). */
function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may contain spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      out.push({ pid: Number(name), ppid, cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process below `top` (children, their children, …). */
export function descendants(top: number): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of processes()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found: ProcInfo[] = [];
  const queue = [...(children.get(top) ?? [])];
  while (queue.length > 0) {
    const p = queue.shift()!;
    found.push(p);
    queue.push(...(children.get(p.pid) ?? []));
  }
  return found;
}

/** PIDs of the MX Lens native hosts below `top` (a browser's main process). */
export function hostsBelow(top: number): number[] {
  return descendants(top)
    .filter((p) => /mxlens/.test(p.cmdline) && /\bhost\b/.test(p.cmdline))
    .map((p) => p.pid);
}

/**
 * Waits for `check` to be true, polling: other processes' exits (a browser's, its hosts') send
 * this process no event. false when `timeoutMs` ran out.
 */
async function waitFor(check: () => boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return check();
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Gives the processes `left()` names `graceMs` to exit by themselves, then SIGKILLs them (only these PIDs). */
export async function endLeftovers(left: () => number[], graceMs: number): Promise<void> {
  if (await waitFor(() => left().length === 0, graceMs)) return;
  for (const pid of left()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitFor(() => left().length === 0, 2_000);
}

/** A browser's own folders: a temporary HOME (XDG folders inside) and a profile. */
export interface BrowserHome {
  homeDir: string;
  profileDir: string;
  /** This process's environment with HOME and the XDG folders in homeDir, then `extra`. */
  env: Record<string, string>;
  remove(): void;
}

export function makeBrowserHome(prefix: string, extra: Record<string, string>): BrowserHome {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const homeDir = path.join(root, 'home');
  const profileDir = path.join(root, 'profile');
  mkdirSync(homeDir);
  mkdirSync(profileDir);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(
    env,
    {
      HOME: homeDir,
      XDG_CONFIG_HOME: path.join(homeDir, '.config'),
      XDG_CACHE_HOME: path.join(homeDir, '.cache'),
      XDG_DATA_HOME: path.join(homeDir, '.local/share'),
      XDG_STATE_HOME: path.join(homeDir, '.local/state'),
    },
    extra,
  );
  return { homeDir, profileDir, env, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** `mxlens install ARGS` with the browser's environment, the way a user installs the host. */
export function installMxlensHost(args: string[], env: Record<string, string>): void {
  const run = spawnSync(process.execPath, [MXLENS_BIN, 'install', ...args], {
    env: { ...env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (run.status !== 0)
    throw new Error(
      `mxlens install ${args.join(' ')} failed (exit ${String(run.status ?? run.signal)}):\n${run.stdout}\n${run.stderr}`,
    );
}

// ------------------------------------------------------------------------- Chromium with MX Lens

export interface LaunchOptions {
  /** Extra environment for Chromium, which passes it on to the native host it starts. */
  env?: Record<string, string>;
  /** Run `mxlens install --dir <profile>/NativeMessagingHosts` first (default true). */
  hostInstalled?: boolean;
  /** The unpacked extension (default: the run's build, test/harness/extension.ts). */
  extensionDir?: string;
  viewport?: { width: number; height: number };
  /** More Chromium flags (e.g. --lang=zh-CN for the extension's UI language). */
  args?: string[];
}

export interface MxlensBrowser {
  context: BrowserContext;
  extensionId: string;
  profileDir: string;
  homeDir: string;
  /** chrome-extension://<id>/<file> */
  extensionUrl(file: string): string;
  /** The background's service worker (woken up if it went idle). */
  serviceWorker(): Promise<Worker>;
  /** A new tab, in front, at `url`. */
  openPage(url: string): Promise<Page>;
  /** The id the extension APIs give the tab that shows `page` (it is brought to the front). */
  tabIdOf(page: Page): Promise<number>;
  /**
   * The toolbar popup, opened as a tab. With `forPage`: as if opened over that tab. Clicking the
   * toolbar button grants activeTab, which shows the popup the tab's URL; Playwright cannot click
   * it, so the popup's tabs.query is given that URL (only the active tab's, only in this page).
   */
  openPopup(forPage?: Page): Promise<Page>;
  /** Writes the host manifest and launcher into the profile (what `hostInstalled` does). */
  installHost(): void;
  /** PIDs of native host processes this browser started. */
  hostPids(): number[];
  /** What Chromium wrote to stderr (extension load errors show up here). */
  log(): string[];
  close(): Promise<void>;
}

/**
 * A fresh HOME and profile in a temporary folder, the host installed into the profile (Chromium
 * reads `<profile>/NativeMessagingHosts/` when a profile folder is given), and Chromium started
 * headless with only MX Lens loaded. close() ends Chromium and any host it left, and removes
 * the folders.
 */
async function launchChromiumWithMxlens(options: LaunchOptions = {}): Promise<MxlensBrowser> {
  const { env = {}, hostInstalled = true, extensionDir = builtExtension().chrome } = options;
  if (!existsSync(path.join(extensionDir, 'manifest.json'))) throw new Error(`no built extension in ${extensionDir}`);
  const home = makeBrowserHome('mxlens-e2e-browser-', env);
  const { homeDir, profileDir } = home;
  const extensionId = extensionIdFromManifest();
  const installHost = () => installMxlensHost(['--dir', path.join(profileDir, 'NativeMessagingHosts')], home.env);

  const lines: string[] = [];
  const logger: Logger = {
    isEnabled: (name) => name === 'browser',
    log: (_name, _severity, message) => {
      const text = typeof message === 'string' ? message : String(message);
      if (/dbus|Fontconfig/i.test(text)) return; // no session bus in the namespace: noise
      lines.push(text);
      if (lines.length > 2000) lines.splice(0, lines.length - 2000);
    },
  };

  let context: BrowserContext | undefined;
  const hostSeen = new Set<number>();
  let browserPid: number | null = null;

  const findBrowserPid = (): number | null => {
    if (browserPid !== null && isAlive(browserPid)) return browserPid;
    const flag = `--user-data-dir=${profileDir}`;
    const main = processes().find((p) => p.cmdline.includes(flag) && !p.cmdline.includes('--type='));
    browserPid = main?.pid ?? null;
    return browserPid;
  };

  const hostPids = (): number[] => {
    const top = findBrowserPid();
    const found = top === null ? [] : hostsBelow(top);
    for (const pid of found) hostSeen.add(pid);
    return found;
  };

  const cleanup = async (): Promise<void> => {
    hostPids();
    if (context) {
      await withTimeout(context.close(), 15_000, 'closing Chromium').catch(() => undefined);
    }
    // The host should exit when the browser closes its stdin; end what did not (only our own).
    await endLeftovers(() => [...hostSeen].filter(isAlive), 3_000);
    home.remove();
  };

  try {
    if (hostInstalled) installHost();
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      // Playwright adds --disable-extensions by default: nothing would load.
      ignoreDefaultArgs: ['--disable-extensions'],
      args: [
        '--no-sandbox',
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        // Extension load errors ("Failed to load extension …") are only printed with logging on.
        '--enable-logging=stderr',
        ...(options.args ?? []),
      ],
      env: home.env,
      viewport: options.viewport ?? { width: 1100, height: 760 },
      logger,
      timeout: 30_000,
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const ctx = context;
  const extensionUrl = (file: string) => `chrome-extension://${extensionId}/${file.replace(/^\/+/, '')}`;
  const isOurWorker = (worker: Worker) => worker.url().startsWith(`chrome-extension://${extensionId}/`);

  const loadErrors = () => lines.filter((line) => /extension error|failed to load extension|manifest/i.test(line));

  const serviceWorker = async (): Promise<Worker> => {
    const running = ctx.serviceWorkers().find(isOurWorker);
    if (running) return running;
    const waiting = ctx.waitForEvent('serviceworker', { predicate: isOurWorker, timeout: 10_000 });
    // A service worker that went idle starts again on an event: send it a message it ignores.
    const waker = await ctx.newPage();
    try {
      await waker.goto(extensionUrl('manifest.json')).catch(() => undefined);
      await waker
        .evaluate(() => {
          const runtime = (globalThis as { chrome?: { runtime?: { sendMessage?: (m: unknown) => Promise<unknown> } } })
            .chrome?.runtime;
          return runtime?.sendMessage?.({ kind: 'e2e-wake-up' }).catch(() => undefined);
        })
        .catch(() => undefined);
      return await waiting;
    } catch (error) {
      const why = loadErrors();
      throw new Error(
        `MX Lens's service worker did not start${why.length ? `; Chromium said:\n${why.join('\n')}` : ''}\n(${String(error)})`,
      );
    } finally {
      await waker.close().catch(() => undefined);
    }
  };

  const tabIdOf = async (page: Page): Promise<number> => {
    await page.bringToFront();
    const worker = await serviceWorker();
    // Without the "tabs" permission tab URLs are hidden: the tab in front is the one.
    const id = await worker.evaluate(async () => {
      type Tab = { id?: number; active: boolean };
      const api = (globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<Tab[]> } } }).chrome;
      const tabs = await api.tabs.query({ active: true });
      return tabs.length === 1 ? (tabs[0]?.id ?? -1) : -1;
    });
    if (id < 0) throw new Error('could not tell which tab is in front');
    return id;
  };

  const handle: MxlensBrowser = {
    context: ctx,
    extensionId,
    profileDir,
    homeDir,
    extensionUrl,
    serviceWorker,
    async openPage(url) {
      const page = await ctx.newPage();
      await page.bringToFront();
      await page.goto(url);
      return page;
    },
    tabIdOf,
    async openPopup(forPage) {
      const popup = await ctx.newPage();
      if (forPage) {
        const tabId = await tabIdOf(forPage); // also puts that tab in front again
        await popup.addInitScript(
          ({ tabId: activeId, url }) => {
            type Tab = { id?: number; url?: string };
            type Tabs = { query: (info: object, callback?: (tabs: Tab[]) => void) => Promise<Tab[]> | undefined };
            const g = globalThis as unknown as { chrome?: { tabs?: Tabs }; browser?: { tabs?: Tabs } };
            for (const api of [g.chrome?.tabs, g.browser?.tabs]) {
              if (!api) continue;
              const original = api.query.bind(api);
              api.query = (info: object, callback?: (tabs: Tab[]) => void) => {
                const found = (original(info) ?? Promise.resolve([])).then((tabs) =>
                  tabs.map((tab) => (tab.id === activeId && tab.url === undefined ? { ...tab, url } : tab)),
                );
                if (typeof callback !== 'function') return found;
                void found.then(callback);
                return undefined;
              };
            }
          },
          { tabId, url: forPage.url() },
        );
      }
      await popup.goto(extensionUrl('popup/popup.html'));
      return popup;
    },
    installHost,
    hostPids,
    log: () => [...lines],
    close: cleanup,
  };

  // Fail early and clearly when the extension did not load at all.
  try {
    await handle.serviceWorker();
  } catch (error) {
    await cleanup();
    throw error;
  }
  return handle;
}

// ------------------------------------------------------------------------- reading the page

type DomNode = {
  nodeName: string;
  backendNodeId: number;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: DomNode[];
  contentDocument?: DomNode;
  documentURL?: string;
};

function attributesOf(node: DomNode): Record<string, string> {
  const out: Record<string, string> = {};
  const list = node.attributes ?? [];
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]!] = list[i + 1]!;
  return out;
}

/** What one badge shows, read inside its closed shadow root the way DevTools does. */
export interface BadgeView {
  address: string;
  verdict: string;
  /** The accessible name. */
  label: string;
  tabindex: string;
  /** Ids of the elements around the badge (open shadow hosts included), innermost first. */
  within: string[];
  /** The badge element in the page (for DOM.getBoxModel). */
  backendNodeId: number;
}

/**
 * Every badge of one document (a page's top document, or a same-origin frame's), in document
 * order, open shadow roots included: the state from the element inside the badge's closed
 * shadow root (data-address, data-verdict, aria-label), through CDP DOM.getDocument({ pierce }).
 */
export async function badgesIn(scope: Page | Frame): Promise<BadgeView[]> {
  const page = 'page' in scope && typeof scope.page === 'function' ? (scope as Frame).page() : (scope as Page);
  const frameUrl =
    'page' in scope && typeof scope.page === 'function' && scope !== page.mainFrame() ? (scope as Frame).url() : null;
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    let start: DomNode | undefined = root;
    if (frameUrl !== null) {
      start = undefined;
      const find = (node: DomNode): void => {
        if (start) return;
        if (node.contentDocument?.documentURL === frameUrl) start = node.contentDocument;
        for (const child of [
          ...(node.shadowRoots ?? []),
          ...(node.children ?? []),
          ...(node.contentDocument ? [node.contentDocument] : []),
        ])
          find(child);
      };
      find(root);
      if (!start) return [];
    }
    const found: BadgeView[] = [];
    const walk = (node: DomNode, within: string[]): void => {
      const attrs = attributesOf(node);
      if (attrs['data-mxlens'] === 'badge') {
        const mark = node.shadowRoots?.[0]?.children?.find((child) => 'data-verdict' in attributesOf(child));
        const state = mark ? attributesOf(mark) : {};
        found.push({
          address: state['data-address'] ?? '',
          verdict: state['data-verdict'] ?? '',
          label: state['aria-label'] ?? '',
          tabindex: state.tabindex ?? '',
          within,
          backendNodeId: node.backendNodeId,
        });
        return;
      }
      const inner = attrs.id ? [attrs.id, ...within] : within;
      // Not into frames: each document has its own badges.
      for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? [])]) walk(child, inner);
    };
    walk(start, []);
    return found;
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** How many badges (for `address`, inside the element with id `inside`) the document has. */
export async function countBadges(
  scope: Page | Frame,
  filter: { address?: string; inside?: string } = {},
): Promise<number> {
  return (await badgesIn(scope)).filter(
    (badge) =>
      (filter.address === undefined || badge.address === filter.address) &&
      (filter.inside === undefined || badge.within.includes(filter.inside)),
  ).length;
}

/** The verdict shown by the first badge of `address`, or null when it has none. */
export async function verdictOf(scope: Page | Frame, address: string): Promise<string | null> {
  return (await badgesIn(scope)).find((badge) => badge.address === address)?.verdict ?? null;
}

/** Where the first badge of `address` is on the page (CSS pixels), or null. */
export async function badgeBox(
  page: Page,
  address: string,
): Promise<{ x: number; y: number; width: number; height: number } | null> {
  const badge = (await badgesIn(page)).find((each) => each.address === address);
  if (!badge) return null;
  const cdp = await page.context().newCDPSession(page);
  try {
    const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId: badge.backendNodeId })) as {
      model: { border: number[] };
    };
    const xs = model.border.filter((_, i) => i % 2 === 0);
    const ys = model.border.filter((_, i) => i % 2 === 1);
    const x = Math.min(...xs);
    const y = Math.min(...ys);
    return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

export interface CardView {
  /** The dialog's aria-label. */
  label: string;
  /** The state shown by the card's icon (deliverable, pending, …). */
  state: string | null;
  /** Its text, one line per block. */
  text: string;
}

/**
 * What the card (in a closed shadow root, out of reach of page scripts and selectors) shows:
 * read through the DevTools protocol, which sees closed roots. null when no card is open.
 */
export async function readCard(page: Page): Promise<CardView | null> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    let cardShadow: DomNode | undefined;
    const walk = (node: DomNode): void => {
      if (cardShadow) return;
      const attrs = node.attributes ?? [];
      for (let i = 0; i + 1 < attrs.length; i += 2) {
        if (attrs[i] === 'data-mxlens' && attrs[i + 1] === 'card') cardShadow = node.shadowRoots?.[0];
      }
      for (const child of [
        ...(node.shadowRoots ?? []),
        ...(node.children ?? []),
        ...(node.contentDocument ? [node.contentDocument] : []),
      ])
        walk(child);
    };
    walk(root);
    if (!cardShadow) return null;
    const { object } = (await cdp.send('DOM.resolveNode', { backendNodeId: cardShadow.backendNodeId })) as {
      object: { objectId?: string };
    };
    if (!object.objectId) return null;
    const { result } = (await cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId,
      returnByValue: true,
      functionDeclaration: `function () {
        const dialog = this.querySelector('[role="dialog"]');
        if (!dialog) return null;
        const icon = dialog.querySelector('[data-verdict]');
        const lines = [...dialog.children].map((child) => (child.textContent || '').trim()).filter(Boolean);
        return { label: dialog.getAttribute('aria-label') || '', state: icon ? icon.getAttribute('data-verdict') : null, text: lines.join('\\n') };
      }`,
    })) as { result: { value?: CardView | null } };
    return result.value ?? null;
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** Saves a PNG into test-results/screenshots/<name>.png (an artifact of the run); returns its path. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false, animations: 'disabled' });
  return file;
}

// ------------------------------------------------------------------------- a browser file's parts

/** This file's fakes of the test world (the daemons run for the whole run). */
export const worldForFile = () => startedForScope('the test world', useWorld, (world) => world.stop());

/** A page server for this file. */
export const pagesForFile = () => startedForScope('the page server', startPageServer, (server) => server.close());

/** One Chromium with MX Lens for the enclosing scope (file or describe block). */
export const chromiumForScope = (options: LaunchOptions = {}) =>
  startedForScope(
    'Chromium',
    () => launchChromiumWithMxlens({ ...options, env: { ...WORLD_ENV, ...options.env } }),
    (browser) => browser.close(),
  );
