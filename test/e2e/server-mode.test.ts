// MX Lens end to end in a real Chromium in SERVER mode: no native host installed anywhere; the
// extension sends its checks to a real `mxlens serve` process in the test world, chosen on the
// options page (server address + API key, the server's origin granted as an optional host
// permission). The badges must say what `mxlens verify --json` says for the same addresses, and
// the card, the popup and the welcome page must say the checks ran on that server.

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { HOST_NAME } from '../../native-host/shared/protocol/messages.js';
import { verifyInWorld } from '../integration/cli.js';
import { addKey, newDataDir, startServe, WORLD_ENV as SERVE_WORLD_ENV } from '../integration/server-process.js';
import { startedForScope } from '../harness/scope.js';
import {
  badgeBox,
  badgesIn,
  chromiumForScope,
  extensionIdFromManifest,
  pagesForFile,
  readCard,
  screenshot,
  WORLD_ENV,
  worldForFile,
} from './browser.js';

const SETTLED = new Set(['deliverable', 'undeliverable', 'risky', 'unknown']);
/** Its answer changes from one check to the next (greylisting): not compared. */
const GREYLISTED = 'gina@greylist.test';

worldForFile();
const pages = pagesForFile();
let key = '';
const serve = startedForScope(
  'mxlens serve',
  async () => {
    const dataDir = newDataDir();
    key = await addKey(dataDir, 'browser');
    return startServe({
      dataDir,
      env: {
        ...SERVE_WORLD_ENV,
        // The host's budgets off, as for the browser files (privacy.test.ts proves them).
        ...WORLD_ENV,
        MXLENS_SERVE_CORS: `chrome-extension://${extensionIdFromManifest()}`,
        MXLENS_SERVE_RATE: '100000',
        MXLENS_SERVE_QUOTA: '100000',
      },
    });
  },
  (server) => server.stop(),
);
// No native host: nothing installed in the profile, and none may be started.
const b = chromiumForScope({ hostInstalled: false });

/** For each address on the page: the distinct verdicts of its badges. */
async function verdicts(page: Page): Promise<Record<string, string[]>> {
  const found: Record<string, Set<string>> = {};
  for (const badge of await badgesIn(page)) (found[badge.address] ??= new Set()).add(badge.verdict);
  return Object.fromEntries(Object.entries(found).map(([address, set]) => [address, [...set].sort()]));
}

const allSettled = (shown: Record<string, string[]>) =>
  Object.keys(shown).length > 0 && Object.values(shown).every((each) => each.length === 1 && SETTLED.has(each[0]!));

describe('server mode, no native host', () => {
  it('is chosen on the options page: server address and API key; the server origin is what the browser is asked to allow', async () => {
    // Headless Chromium's permission prompt is a browser dialog no automation can click (tried:
    // the options page then waits forever). So the options page gets the user's "Allow" through
    // the DevTools protocol (Page.addScriptToEvaluateOnNewDocument, via addInitScript): its
    // permissions.request answers true and records what was asked. Everything after it is the
    // real code path. The permission is therefore NOT granted in this profile: the server's
    // fetches go through because the server allows the extension's origin (MXLENS_SERVE_CORS).
    const options = await b().context.newPage();
    await options.addInitScript(() => {
      type Request = (
        details: { origins?: string[] },
        callback?: (granted: boolean) => void,
      ) => Promise<boolean> | undefined;
      const permissions = (globalThis as unknown as { chrome: { permissions: { request: Request } } }).chrome
        .permissions;
      const asked: string[][] = [];
      (globalThis as unknown as { mxlensAskedOrigins: string[][] }).mxlensAskedOrigins = asked;
      permissions.request = (details, callback) => {
        asked.push(details.origins ?? []);
        if (typeof callback === 'function') {
          callback(true);
          return undefined;
        }
        return Promise.resolve(true);
      };
    });
    await options.goto(b().extensionUrl('options/options.html'));
    await options.locator('input[name="where"][value="server"]').check();
    await options.locator('#where-url').fill(serve().url);
    await options.locator('#where-key').fill(key);
    await options.locator('#where-form button[type="submit"]').click();
    await expect
      .poll(() => options.locator('#where-status').innerText(), { timeout: 15_000 })
      .toContain(`Saved: checks now run on ${serve().url}`);
    expect(
      await options.evaluate(() => (globalThis as unknown as { mxlensAskedOrigins: string[][] }).mxlensAskedOrigins),
    ).toEqual([['http://127.0.0.1/*']]);
    const stored = await (
      await b().serviceWorker()
    ).evaluate(async () => {
      const api = (
        globalThis as unknown as {
          chrome: { storage: { local: { get(key: string): Promise<Record<string, unknown>> } } };
        }
      ).chrome;
      return (await api.storage.local.get('checkLocation')).checkLocation;
    });
    expect(stored).toEqual({ where: 'server', url: serve().url, key });
    await options.close();
  });

  it('badges show what mxlens verify --json says, checked by the server; the card says where', async () => {
    const page = await b().openPage(pages().url('/pages/plain-text.html'));
    await expect.poll(() => verdicts(page), { timeout: 40_000, interval: 200 }).toSatisfy(allSettled);
    const shown = await verdicts(page);
    const addresses = Object.keys(shown)
      .filter((address) => address !== GREYLISTED)
      .sort();
    expect(addresses.length).toBeGreaterThanOrEqual(6);

    const cli = await verifyInWorld(addresses);
    const expected = Object.fromEntries(addresses.map((address, i) => [address, [cli[i]!.verdict]]));
    expect(Object.fromEntries(addresses.map((address) => [address, shown[address]]))).toEqual(expected);
    // Not a world of "unknown": the server reached the mail servers.
    expect(Object.values(expected).flat()).toContain('deliverable');
    expect(Object.values(expected).flat()).toContain('undeliverable');

    // The server did the work: its log has the verify requests; no native host ever ran.
    expect(serve().log.some((line) => JSON.stringify(line).includes('/v1/verify'))).toBe(true);
    expect(b().hostPids()).toEqual([]);
    expect(existsSync(path.join(b().profileDir, 'NativeMessagingHosts', `${HOST_NAME}.json`))).toBe(false);

    // The card, opened from a badge, says the check ran on the server.
    const box = await badgeBox(page, 'nobody@acme.test');
    if (!box) throw new Error('no badge for nobody@acme.test');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect
      .poll(() => readCard(page), { timeout: 10_000 })
      .toMatchObject({ state: expected['nobody@acme.test']![0] });
    expect((await readCard(page))?.text).toContain(`Checked on the server ${serve().url}.`);
    await screenshot(page, 'server-mode-card');
  });

  it('the popup and the welcome page say checks run on the server', async () => {
    const popup = await b().openPopup();
    await expect
      .poll(() => popup.locator('#host-status').innerText(), { timeout: 15_000 })
      .toContain(`Checks run on the MX Lens server ${serve().url}.`);
    await popup.close();
    const welcome = await b().openPage(b().extensionUrl('welcome/welcome.html'));
    await expect
      .poll(() => welcome.locator('#welcome-status').innerText(), { timeout: 15_000 })
      .toContain(`Checks run on the MX Lens server ${serve().url}.`);
    await welcome.close();
  });
});
