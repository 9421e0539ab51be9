// End-to-end helpers for Firefox: Debian's firefox-esr driven by puppeteer-core over WebDriver
// BiDi, the run's Firefox build of MX Lens (test/harness/extension.ts) installed as a temporary
// add-on, and the native host installed the way a user does it (`mxlens install --browser
// firefox` into $HOME/.mozilla/native-messaging-hosts, with HOME set to a temporary folder).
// The page server and the process tools are browser.ts's, shared with the Chromium driver.
//
//   const firefox = await launchFirefoxWithMxlens({ env: WORLD_ENV });
//   const page = await firefox.openPage(server.url('/pages/plain-text.html'));
//   ... await firefoxBadges(page) ...
//   await firefox.close();
//
// Everything stays on loopback: the prefs below switch off Firefox's own background traffic
// (updates, telemetry, captive portal and connectivity checks, Safe Browsing, Remote Settings, …),
// which could only fail in the loopback-only namespace and cost time.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { builtExtension } from '../harness/extension.js';
import {
  BADGE,
  descendants,
  endLeftovers,
  hostsBelow,
  installMxlensHost,
  isAlive,
  makeBrowserHome,
  SCREENSHOTS_DIR,
  withTimeout,
} from './browser.js';

const FIREFOX = process.env.MXLENS_FIREFOX ?? '/usr/bin/firefox-esr';
/** browser_specific_settings.gecko.id: what the host manifest's allowed_extensions names. */
export const GECKO_ID = 'mxlens@mxlens.io';
/** The moz-extension:// host we give the add-on (Firefox picks a random one otherwise). */
export const EXTENSION_UUID = '6d1b2c3e-4f50-4a61-8b72-93a4b5c6d7e8';
export const HOST_NAME = 'io.mxlens.host';

/**
 * Prefs for a quiet, offline test profile (on top of puppeteer's own, which already turn off
 * most of Safe Browsing, health reports and add-on updates). URLs are emptied or set to data:
 * so nothing even tries a name lookup.
 */
const QUIET_PREFS: Record<string, string | number | boolean> = {
  // Updates
  'app.update.auto': false,
  'app.update.enabled': false,
  'app.update.checkInstallTime': false,
  'app.update.disabledForTesting': true,
  'app.update.staging.enabled': false,
  'app.update.url': '',
  'extensions.update.enabled': false,
  'extensions.update.autoUpdateDefault': false,
  'extensions.systemAddon.update.enabled': false,
  'extensions.systemAddon.update.url': '',
  'extensions.getAddons.cache.enabled': false,
  'extensions.blocklist.enabled': false,
  'extensions.webservice.discoverURL': '',
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-manager.url': '',
  'media.gmp-gmpopenh264.enabled': false,
  'browser.search.update': false,
  // Telemetry, studies, experiments
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.shutdownPingSender.enabled': false,
  'toolkit.telemetry.newProfilePing.enabled': false,
  'toolkit.telemetry.firstShutdownPing.enabled': false,
  'toolkit.telemetry.updatePing.enabled': false,
  'toolkit.telemetry.bhrPing.enabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.policy.firstRunURL': '',
  'datareporting.healthreport.documentServerURI': '',
  'app.normandy.enabled': false,
  'app.normandy.api_url': '',
  'app.shield.optoutstudies.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'browser.ping-centre.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.section.topstories': false,
  'browser.newtabpage.activity-stream.feeds.system.topstories': false,
  'browser.newtabpage.activity-stream.feeds.snippets': false,
  'browser.newtabpage.activity-stream.asrouter.userprefs.cfr.addons': false,
  'browser.newtabpage.activity-stream.asrouter.userprefs.cfr.features': false,
  'browser.newtabpage.activity-stream.showSponsored': false,
  'browser.newtabpage.activity-stream.showSponsoredTopSites': false,
  'browser.newtabpage.enabled': false,
  'browser.topsites.contile.enabled': false,
  'browser.discovery.enabled': false,
  // Network probes
  'network.captive-portal-service.enabled': false,
  'captivedetect.canonicalURL': '',
  'network.connectivity-service.enabled': false,
  'network.manage-offline-status': false,
  'network.trr.mode': 5,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.http.speculative-parallel-limit': 0,
  'network.sntp.pools': '',
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.search.geoip.url': '',
  'geo.provider.network.url': '',
  'geo.provider.testing': true,
  // Safe Browsing, Remote Settings, certificates
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.google.updateURL': '',
  // What Firefox's own test harnesses use: no server, no lookups.
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  'security.OCSP.enabled': 0,
  'identity.fxaccounts.enabled': false,
  'browser.translations.enable': false,
  'browser.translations.automaticallyPopup': false,
  // First-run pages
  'browser.startup.homepage_override.mstone': 'ignore',
  'startup.homepage_welcome_url': 'about:blank',
  'startup.homepage_welcome_url.additional': '',
  'browser.aboutwelcome.enabled': false,
  'trailhead.firstrun.branches': 'nofirstrun-empty',
  'browser.shell.checkDefaultBrowser': false,
};

/**
 * Prefs that put the browser console on Firefox's stdout: errors of the add-on's scripts (its
 * background page and content scripts) and of pages, as "JavaScript error: …", "console.error: …".
 */
const CONSOLE_PREFS: Record<string, string | number | boolean> = {
  'devtools.console.stdout.chrome': true,
  'devtools.console.stdout.content': true,
  'javascript.options.showInConsole': true,
  'browser.dom.window.dump.enabled': true,
};

export interface FirefoxLaunchOptions {
  /** The unpacked Firefox build (default: the run's build, test/harness/extension.ts). */
  extensionDir?: string;
  /** Extra environment for Firefox, which passes it on to the native host it starts. */
  env?: Record<string, string>;
  /** Run `mxlens install --browser firefox` with HOME set to the temporary home (default true). */
  hostInstalled?: boolean;
  /** More prefs (they win over QUIET_PREFS and CONSOLE_PREFS). */
  prefs?: Record<string, string | number | boolean>;
  viewport?: { width: number; height: number };
}

export interface MxlensFirefox {
  browser: Browser;
  homeDir: string;
  profileDir: string;
  /** What browser.installExtension returned (the gecko id). */
  addonId: string;
  /** moz-extension://<EXTENSION_UUID>/<file> */
  extensionUrl(file: string): string;
  /** $HOME/.mozilla/native-messaging-hosts/io.mxlens.host.json */
  hostManifestPath: string;
  /** A new tab at `url`, in front. */
  openPage(url: string): Promise<Page>;
  /** A new tab showing one of the add-on's pages (`file`, e.g. "popup/popup.html"), loaded. */
  openExtensionPage(file: string): Promise<Page>;
  /**
   * What Firefox granted the add-on, from <profile>/extension-preferences.json (written at
   * install; null until it is there): the add-on's permissions as Firefox stored them.
   */
  grantedPermissions(): { permissions: string[]; origins: string[] } | null;
  /** PIDs of native host processes this Firefox started. */
  hostPids(): number[];
  /** What Firefox wrote to stdout and stderr, one entry a line (noise left out). */
  log(): string[];
  close(): Promise<void>;
}

/** Lines Firefox prints in a namespace without a display, a session bus or a network. */
const NOISE = /D-Bus|dbus|DISPLAY|GFX1-|glxtest|Fontconfig|RemoteAgent\tINFO|^\s*$/;

/**
 * A fresh HOME in a temporary folder, the host installed there for Firefox, Firefox ESR started
 * headless with its own profile in that folder, and MX Lens installed as a temporary add-on.
 * close() ends Firefox and any host it left, and removes the folder.
 */
export async function launchFirefoxWithMxlens(options: FirefoxLaunchOptions = {}): Promise<MxlensFirefox> {
  const { env = {}, hostInstalled = true, extensionDir = builtExtension().firefox } = options;
  if (!existsSync(path.join(extensionDir, 'manifest.json'))) throw new Error(`no built extension in ${extensionDir}`);
  const home = makeBrowserHome('mxlens-e2e-firefox-', env);
  const { homeDir, profileDir } = home;
  delete home.env.DISPLAY;
  delete home.env.WAYLAND_DISPLAY;
  // WebDriver BiDi refuses to navigate to moz-extension:// pages ("Navigation to ... is not
  // allowed in this context", browsingContext.navigate) unless the driver is allowed system
  // access (the same as --remote-allow-system-access). Only the test's driver gets more
  // power; the add-on and the pages run as for a user.
  home.env.MOZ_REMOTE_ALLOW_SYSTEM_ACCESS = '1';
  const hostManifestPath = path.join(homeDir, '.mozilla/native-messaging-hosts', `${HOST_NAME}.json`);

  const lines: string[] = [];
  const keep = (chunk: Buffer | string) => {
    for (const line of String(chunk).split('\n')) {
      if (NOISE.test(line)) continue;
      lines.push(line);
    }
    if (lines.length > 4000) lines.splice(0, lines.length - 4000);
  };

  let browser: Browser | undefined;
  let firefoxPid: number | null = null;
  const hostSeen = new Set<number>();

  const hostPids = (): number[] => {
    const found = firefoxPid === null ? [] : hostsBelow(firefoxPid);
    for (const pid of found) hostSeen.add(pid);
    return found;
  };

  const cleanup = async (): Promise<void> => {
    hostPids();
    const tree = firefoxPid === null ? [] : [firefoxPid, ...descendants(firefoxPid).map((p) => p.pid)];
    if (browser) await withTimeout(browser.close(), 15_000, 'closing Firefox').catch(() => undefined);
    // Whatever is left of this Firefox (only our own processes, by PID), and its hosts.
    await endLeftovers(() => [...new Set([...tree, ...hostSeen])].filter(isAlive), 5_000);
    home.remove();
  };

  let addonId = '';
  try {
    if (hostInstalled) installMxlensHost(['--browser', 'firefox'], home.env);
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      userDataDir: profileDir,
      env: home.env,
      extraPrefsFirefox: {
        ...QUIET_PREFS,
        ...CONSOLE_PREFS,
        // A fixed moz-extension:// host, so tests can open the add-on's pages.
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: EXTENSION_UUID }),
        ...options.prefs,
      },
      defaultViewport: options.viewport ?? { width: 1100, height: 760 },
      // Our own cleanup ends Firefox; vitest must not be killed with it.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: 30_000,
      protocolTimeout: 30_000,
    });
    const child = browser.process();
    firefoxPid = child?.pid ?? null;
    // Always drain both pipes (a full pipe would stall Firefox) and keep what they say.
    child?.stdout?.on('data', keep);
    child?.stderr?.on('data', keep);
    addonId = await withTimeout(browser.installExtension(extensionDir), 20_000, 'installing the add-on');
  } catch (error) {
    await cleanup();
    throw error;
  }
  const ff = browser;
  const extensionUrl = (file: string) => `moz-extension://${EXTENSION_UUID}/${file.replace(/^\/+/, '')}`;

  return {
    browser: ff,
    homeDir,
    profileDir,
    addonId,
    hostManifestPath,
    extensionUrl,
    async openPage(url) {
      const page = await ff.newPage();
      await page.bringToFront();
      await page.goto(url, { timeout: 15_000 });
      return page;
    },
    async openExtensionPage(file) {
      const url = extensionUrl(file);
      const page = await ff.newPage();
      await page.bringToFront();
      // The page loads, but BiDi never reports the navigation to the add-on's process as done
      // (goto times out with the page on screen): start it, then ask the page itself.
      page.goto(url, { timeout: 15_000 }).catch(() => undefined);
      const loaded = async () => {
        try {
          return await page.evaluate((wanted) => location.href === wanted && document.readyState === 'complete', url);
        } catch {
          return false; // between documents
        }
      };
      const end = Date.now() + 15_000;
      while (!(await loaded())) {
        if (Date.now() > end) throw new Error(`${url} did not load within 15 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return page;
    },
    grantedPermissions() {
      try {
        const all = JSON.parse(readFileSync(path.join(profileDir, 'extension-preferences.json'), 'utf8')) as Record<
          string,
          { permissions?: string[]; origins?: string[] }
        >;
        const ours = all[GECKO_ID];
        return ours ? { permissions: ours.permissions ?? [], origins: ours.origins ?? [] } : null;
      } catch {
        return null;
      }
    },
    hostPids,
    log: () => [...lines],
    close: cleanup,
  };
}

type RemoteValue = { type: string; value?: unknown };
type RemoteNode = {
  type: 'node';
  value?: {
    localName?: string;
    attributes?: Record<string, string>;
    children?: RemoteNode[];
    shadowRoot?: RemoteNode | null;
  };
};

/** The BiDi realm of the page's main frame (puppeteer-core's own object for it). */
interface BidiRealm {
  /** script.callFunction: the EvaluateResult, `{ type: 'success', result }` or `{ type: 'exception', exceptionDetails }`. */
  callFunction(
    functionDeclaration: string,
    awaitPromise: boolean,
    options: object,
  ): Promise<{ type: string; result?: RemoteValue; exceptionDetails?: { text?: string } }>;
}

/**
 * Every badge in the document (open shadow roots included): address and verdict. The page
 * cannot read them (they live in each badge's closed shadow root); WebDriver BiDi can, the way
 * DevTools does: nodes serialized with `includeShadowTree: "all"` carry closed shadow roots too.
 */
export async function firefoxBadges(page: Page): Promise<Array<{ address: string; verdict: string }>> {
  const realm = (page.mainFrame() as unknown as { mainRealm(): { realm: BidiRealm } }).mainRealm().realm;
  const evaluated = await realm.callFunction(
    `function (selector) {
      const found = [];
      const visit = (root) => {
        for (const el of root.querySelectorAll(selector)) found.push(el);
        for (const el of root.querySelectorAll('*')) if (el.shadowRoot) visit(el.shadowRoot);
      };
      visit(document);
      return found;
    }`,
    false,
    {
      arguments: [{ type: 'string', value: BADGE }],
      serializationOptions: { maxObjectDepth: 1, maxDomDepth: 2, includeShadowTree: 'all' },
      resultOwnership: 'none',
    },
  );
  if (evaluated.type !== 'success' || !evaluated.result)
    throw new Error(`reading the badges failed: ${evaluated.exceptionDetails?.text ?? evaluated.type}`);
  const result = evaluated.result;
  const hosts = (result.type === 'array' ? (result.value as RemoteNode[]) : []).filter((node) => node.type === 'node');
  return hosts.map((host) => {
    const children = host.value?.shadowRoot?.value?.children ?? [];
    const mark = children.find((child) => child.value?.attributes?.['data-verdict'] !== undefined);
    const attributes = mark?.value?.attributes ?? {};
    return { address: attributes['data-address'] ?? '', verdict: attributes['data-verdict'] ?? '' };
  });
}

/** Saves a PNG into test-results/screenshots/<name>.png; returns its path. */
export async function firefoxScreenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file as `${string}.png`, fullPage: options.fullPage ?? false });
  return file;
}
