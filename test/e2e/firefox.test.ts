// MX Lens end to end in a real Firefox ESR: the Firefox build as a temporary add-on, the native
// host installed with `mxlens install --browser firefox` (HOME is a temporary folder) and started
// by Firefox through native messaging, the test world's DNS and mail servers.
//
// Verdicts are never hard-wired alone: each badge is compared with what `mxlens verify --json`
// says for the same address against the same world. Waits are bounded.

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyInWorld } from '../integration/cli.js';
import { startedForScope } from '../harness/scope.js';
import { pagesForFile, REPO, WORLD_ENV, worldForFile } from './browser.js';
import {
  EXTENSION_UUID,
  firefoxBadges,
  firefoxScreenshot,
  GECKO_ID,
  HOST_NAME,
  launchFirefoxWithMxlens,
  type MxlensFirefox,
} from './firefox.js';

const SETTLED = new Set(['deliverable', 'undeliverable', 'risky', 'unknown']);
const GREYLISTED = 'gina@greylist.test';
const RESULTS_DIR = path.join(REPO, 'test-results');

worldForFile();
const pages = pagesForFile();
const ff = startedForScope(
  'Firefox',
  () => launchFirefoxWithMxlens({ env: { ...WORLD_ENV } }),
  async (firefox) => {
    // Firefox's console (errors of the add-on, the pages, Firefox itself): an artifact of the run.
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(path.join(RESULTS_DIR, 'firefox-console.log'), `${firefox.log().join('\n')}\n`);
    await firefox.close();
  },
);

// ------------------------------------------------------------------------- helpers

async function hostVerdicts(addresses: string[]): Promise<Record<string, string>> {
  const results = await verifyInWorld(addresses);
  const byAddress = new Map<string, string>();
  for (const result of results) {
    byAddress.set(result.address, result.verdict);
    if (result.normalized) byAddress.set(result.normalized, result.verdict);
  }
  return Object.fromEntries(
    addresses.map((address) => [address, byAddress.get(address) ?? `(the CLI gave no result for ${address})`]),
  );
}

type Summary = Record<string, string[]>;

async function summary(page: Page, addresses: string[]): Promise<Summary> {
  const badges = await firefoxBadges(page);
  return Object.fromEntries(
    addresses.map((address) => [
      address,
      [...new Set(badges.filter((b) => b.address === address).map((b) => b.verdict))].sort(),
    ]),
  );
}

const allSettled = (s: Summary) =>
  Object.values(s).every((verdicts) => verdicts.length === 1 && SETTLED.has(verdicts[0]!));

/** Waits until every address has badges, all showing one final verdict; returns them. */
async function settledVerdicts(page: Page, addresses: string[], timeout = 20_000): Promise<Record<string, string>> {
  await expect.poll(() => summary(page, addresses), { timeout, interval: 100 }).toSatisfy(allSettled);
  const final = await summary(page, addresses);
  return Object.fromEntries(Object.entries(final).map(([address, verdicts]) => [address, verdicts[0]!]));
}

/** Lines of Firefox's console output that are errors of the add-on's own scripts. */
function addonErrors(firefox = ff()): string[] {
  return firefox
    .log()
    .filter((line) => line.includes(`moz-extension://${EXTENSION_UUID}/`) && /error|exception|warning/i.test(line));
}

type Look = { scheme: 'light' | 'dark'; locale: 'en' | 'zh_CN' };

/** A message of the add-on in `locale`, up to its first placeholder. */
function localeText(locale: Look['locale'], key: string): string {
  const messages = JSON.parse(
    readFileSync(path.join(REPO, 'extension/_locales', locale, 'messages.json'), 'utf8'),
  ) as Record<string, { message: string }>;
  return messages[key]!.message.split('$')[0]!.trim();
}

/**
 * The add-on's own pages, each checked to be the add-on's (not an error page), in the look asked
 * for, and connected to the host through native messaging, then kept as
 * test-results/screenshots/firefox-screen-<page>-<look>.png.
 */
async function shootScreens(firefox: MxlensFirefox, look: Look): Promise<void> {
  const screens = [
    { file: 'popup/popup.html', name: 'popup', title: 'extName' },
    { file: 'options/options.html', name: 'options', title: 'optionsTitle' },
    { file: 'welcome/welcome.html', name: 'welcome', title: 'welcomeTitle' },
  ];
  for (const { file, name, title } of screens) {
    const page = await firefox.openExtensionPage(file);
    const shown = await page.evaluate(() => ({
      h1: document.querySelector('h1')?.textContent?.trim() ?? '',
      dark: matchMedia('(prefers-color-scheme: dark)').matches,
    }));
    expect(shown, name).toEqual({ h1: localeText(look.locale, title), dark: look.scheme === 'dark' });
    const connected = localeText(look.locale, 'statusConnected');
    await expect.poll(() => page.evaluate(() => document.body.innerText), { timeout: 10_000 }).toContain(connected);
    const suffix = look.locale === 'en' ? look.scheme : `${look.scheme}-${look.locale}`;
    const shot = await firefoxScreenshot(page, `firefox-screen-${name}-${suffix}`, { fullPage: true });
    expect(statSync(shot).size, `${name} screenshot`).toBeGreaterThan(5_000);
    await page.close();
  }
}

// ------------------------------------------------------------------------- tests

describe('MX Lens in Firefox ESR with the host installed', () => {
  it('`mxlens install --browser firefox` writes the host manifest into $HOME/.mozilla/native-messaging-hosts', () => {
    const file = ff().hostManifestPath;
    expect(file).toBe(`${ff().homeDir}/.mozilla/native-messaging-hosts/${HOST_NAME}.json`);
    expect(existsSync(file)).toBe(true);
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
      name: string;
      type: string;
      path: string;
      allowed_extensions: string[];
    };
    expect(manifest).toMatchObject({ name: HOST_NAME, type: 'stdio', allowed_extensions: [GECKO_ID] });
    expect(statSync(manifest.path).mode & 0o111, `${manifest.path} is executable`).not.toBe(0);
    expect(ff().addonId).toBe(GECKO_ID);
  });

  it('the add-on has host access to http and https pages without the user granting it', async () => {
    // Firefox (extensions.originControls.grantByDefault, true by default) grants an MV3 add-on the
    // origins its content_scripts match when it is installed; with that pref false it gets none
    // and the content script never runs.
    await expect.poll(() => ff().grantedPermissions(), { timeout: 10_000 }).not.toBeNull();
    expect(ff().grantedPermissions()?.origins.sort()).toEqual(['http://*/*', 'https://*/*']);
  });

  it("plain-text addresses get badges whose verdicts are the host's", async () => {
    const page = await ff().openPage(pages().url('/pages/plain-text.html'));
    const checked = [
      'alice@acme.test',
      'bob@acme.test',
      'carol@aonly.test',
      'anyone@catchall.test',
      'nobody@acme.test',
      'someone@nullmx.test',
      'Alice.Smith+orders@acme.test',
    ];
    const verdicts = await settledVerdicts(page, checked);
    expect(verdicts).toEqual(await hostVerdicts(checked));
    expect(verdicts).toMatchObject({
      'alice@acme.test': 'deliverable',
      'nobody@acme.test': 'undeliverable',
      'anyone@catchall.test': 'risky',
      'someone@nullmx.test': 'undeliverable',
    });
    const badges = await firefoxBadges(page);
    expect([...new Set(badges.map((b) => b.address))].sort()).toEqual([...checked, GREYLISTED].sort());
    // One badge per occurrence: alice@ is written three times (once in Chinese text).
    expect(badges.filter((b) => b.address === 'alice@acme.test')).toHaveLength(3);
    // The host was started by Firefox, from the manifest in $HOME/.mozilla.
    expect(ff().hostPids().length, 'a native host started by this Firefox').toBeGreaterThan(0);
    await firefoxScreenshot(page, 'firefox-badges');
    await page.close();
  });

  it('page scripts can still walk a page with badges, and read nothing from them', async () => {
    const page = await ff().openPage(pages().url('/pages/plain-text.html'));
    await settledVerdicts(page, ['alice@acme.test']);
    // What any page script (a framework walking its DOM, an analytics snippet) does.
    const outcome = await page.evaluate(() => {
      try {
        const badge = document.querySelector('[data-mxlens="badge"]');
        const tags = Array.from(document.querySelectorAll('body *')).map((el) => el.tagName.toLowerCase());
        return {
          ok: true,
          error: null,
          badgeTag: badge ? badge.tagName.toLowerCase() : null,
          attributes: badge ? badge.getAttributeNames().sort() : [],
          text: badge?.textContent ?? null,
          shadowRoot: badge ? String(badge.shadowRoot) : null,
          count: tags.length,
        };
      } catch (error) {
        return {
          ok: false,
          error: String(error),
          badgeTag: null,
          attributes: [],
          text: null,
          shadowRoot: null,
          count: 0,
        };
      }
    });
    expect(outcome, `a page script touching the badges: ${outcome.error ?? 'fine'}`).toMatchObject({
      ok: true,
      badgeTag: 'mxlens-badge',
    });
    expect(outcome).toMatchObject({ attributes: ['data-mxlens', 'style', 'translate'], text: '', shadowRoot: 'null' });
    await page.close();
  });

  it("the add-on's scripts reported no errors", () => {
    expect(addonErrors()).toEqual([]);
  });
});

// The add-on's screens in each look, each in a Firefox of its own (the prefs apply at start)
// that opens no web page: its console shows the add-on's pages alone.
const LOOKS: Array<{ look: Look; prefs: Record<string, string | number | boolean> }> = [
  { look: { scheme: 'light', locale: 'en' }, prefs: {} },
  // 0: pages (the add-on's too) see prefers-color-scheme: dark.
  { look: { scheme: 'dark', locale: 'en' }, prefs: { 'layout.css.prefers-color-scheme.content-override': 0 } },
  // Firefox in Chinese (its language pack, firefox-esr-l10n-zh-cn): the add-on speaks its zh_CN.
  { look: { scheme: 'light', locale: 'zh_CN' }, prefs: { 'intl.locale.requested': 'zh-CN' } },
];

describe.each(LOOKS)('MX Lens in Firefox ESR, $look.scheme, $look.locale', ({ look, prefs }) => {
  let other: MxlensFirefox | undefined;
  beforeAll(async () => {
    other = await launchFirefoxWithMxlens({ env: { ...WORLD_ENV }, prefs });
  }, 120_000);
  afterAll(async () => {
    await other?.close();
  }, 60_000);

  it('the popup, options and welcome page render in it, connected to the host; screenshots kept', async () => {
    if (!other) throw new Error('Firefox did not start');
    await shootScreens(other, look);
    // The pages' own errors. content.js runs only in tabs this Firefox left blank, where Firefox
    // at times cuts its visibilitychange handler short as the tab goes to the background
    // ("Script terminated by timeout"); the main Firefox's check above covers content.js.
    expect(addonErrors(other).filter((line) => !line.includes('/content.js'))).toEqual([]);
  });
});
