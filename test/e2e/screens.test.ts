// Every page of the extension in a real Chromium, in light and dark, in English and Chinese,
// from a new user's first minute (no host: the setup) to a bulk check with the host. The
// screenshots go to test-results/screenshots/screen-*.png, to be looked at; the assertions
// check what a screenshot cannot prove by itself (nothing cut inside a word, the toolbar state).

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumForScope, pagesForFile, screenshot, worldForFile, type MxlensBrowser } from './browser.js';

worldForFile();
const pages = pagesForFile();

const SCHEMES = ['light', 'dark'] as const;

/** Screenshots of `page` in both colour schemes. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await screenshot(page, `screen-${name}-${colorScheme}`, { fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Every word of every code block is drawn on one line (a break inside --extension-id would not be). */
async function wordsBrokenInCode(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('.code-word'))
      .filter((word) => word.getClientRects().length !== 1)
      .map((word) => word.textContent ?? ''),
  );
}

async function badgeText(browser: MxlensBrowser, tabId: number | null): Promise<string> {
  const worker = await browser.serviceWorker();
  return worker.evaluate(async (id) => {
    const api = (
      globalThis as unknown as { chrome: { action: { getBadgeText(details: { tabId?: number }): Promise<string> } } }
    ).chrome;
    return api.action.getBadgeText(id === null ? {} : { tabId: id });
  }, tabId);
}

const BULK = [
  'alice@acme.test',
  'bob@acme.test',
  'nobody@acme.test',
  'Carol Doe <carol@aonly.test>',
  'anyone@catchall.test',
  'someone@blocked.test',
  'x@nullmx.test',
  'y@nomail.test',
  'z@nosuchdomain.test',
  'info@acme.test',
  'someone@tarpit.test',
];

describe.each([
  { locale: 'en', args: [] as string[] },
  { locale: 'zh_CN', args: ['--lang=zh-CN'] },
])('every screen in Chromium ($locale)', ({ locale, args }) => {
  const zh = locale === 'zh_CN';
  const b = chromiumForScope({ env: { LANGUAGE: zh ? 'zh_CN' : 'en' }, hostInstalled: false, args });

  it('without the host: the welcome page, the popup and the toolbar all say "set up"', async () => {
    const isWelcome = (p: Page) => p.url().endsWith('/welcome/welcome.html');
    const welcome =
      b().context.pages().find(isWelcome) ??
      (await b().context.waitForEvent('page', { predicate: isWelcome, timeout: 10_000 }));
    await welcome.bringToFront();
    await expect
      .poll(() => welcome.locator('#welcome-status').innerText(), { timeout: 15_000 })
      .toContain('mxlens install');
    const status = await welcome.locator('#welcome-status').innerText();
    expect(status).toContain('npm install --global ./mxlens-');
    expect(status).toContain(zh ? 'Node.js 20.19 或更新版本' : 'Node.js 20.19 or newer');
    expect(await wordsBrokenInCode(welcome)).toEqual([]);
    await shoot(welcome, `welcome-setup-${locale}`);

    const popup = await b().openPopup();
    await popup.setViewportSize({ width: 400, height: 600 });
    await expect.poll(() => popup.locator('#setup-actions').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await popup.locator('#check-section').isVisible()).toBe(false);
    expect(await popup.locator('#page-section').isVisible()).toBe(false);
    // The popup is narrow: the install line wraps, between words only.
    expect(await wordsBrokenInCode(popup)).toEqual([]);
    expect(await popup.locator('#host-status .code-line').count()).toBe(2);
    await shoot(popup, `popup-setup-${locale}`);
    await popup.close();

    expect(await badgeText(b(), null)).toBe('!');
  });

  it('with the host: the welcome page says so and offers the quieter modes', async () => {
    b().installHost();
    const welcome = b()
      .context.pages()
      .find((p) => p.url().endsWith('/welcome/welcome.html'))!;
    await welcome.bringToFront();
    await welcome.click('#welcome-check-again');
    await expect.poll(() => welcome.locator('#welcome-ready').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await welcome.locator('#welcome-mode input[value="full"]').isChecked()).toBe(true);
    await shoot(welcome, `welcome-ready-${locale}`);
    expect(await badgeText(b(), null)).toBe('');
  });

  it('the toolbar counts the addresses on a page', async () => {
    const page = await b().openPage(pages().url('/pages/plain-text.html'));
    const tabId = await b().tabIdOf(page);
    await expect.poll(() => badgeText(b(), tabId), { timeout: 15_000 }).toMatch(/^[1-9]\d*$/);
    await page.close();
  });

  it('the popup checks many addresses with progress, counts that filter, and details', async () => {
    // The tarpit keeps one check running for the screenshot, 3 s instead of the default 20.
    const worker = await b().serviceWorker();
    await worker.evaluate(async () => {
      const api = (globalThis as unknown as { chrome: { storage: { local: { set(items: object): Promise<void> } } } })
        .chrome;
      await api.storage.local.set({ settings: { timeoutMs: 3000 } });
    });
    const popup = await b().openPopup();
    await popup.setViewportSize({ width: 400, height: 600 });
    await popup.fill('#check-input', BULK.join('\n'));
    await popup.click('#check-button');
    await expect
      .poll(() => popup.locator('#check-progress-text').innerText(), { timeout: 5_000 })
      .toMatch(zh ? /已完成 \d \/ 11/ : /^\d+ of 11 done · 0:0\d elapsed/);
    await shoot(popup, `popup-bulk-running-${locale}`);
    await expect
      .poll(() => popup.locator('#check-summary').innerText(), { timeout: 45_000 })
      .toMatch(zh ? /^完成：\d+:\d\d 内检查了 11 个地址$/ : /^Done: 11 checked in \d+:\d\d$/);
    expect(await popup.locator('#check-progress').isVisible()).toBe(false);
    await shoot(popup, `popup-bulk-done-${locale}`);

    // Filter by one verdict, and open the blocked address: catch-all "not tested", the verdict once.
    await popup.click('#check-counts .count--unknown');
    const shown = await popup.locator('#check-results > li:not([hidden]) .result-item__address').allInnerTexts();
    expect(shown).toContain('someone@blocked.test');
    expect(shown).not.toContain('alice@acme.test');
    const blocked = popup.locator('#check-results > li:not([hidden])', { hasText: 'someone@blocked.test' });
    await blocked.locator('summary').first().click();
    expect(await blocked.innerText()).toContain(zh ? '未检测' : 'Not tested');
    await shoot(popup, `popup-bulk-filtered-${locale}`);
    await popup.close();
  });

  it('the options page', async () => {
    const options = await b().openPage(b().extensionUrl('options/options.html'));
    await expect.poll(() => options.locator('#autoMode input:checked').count(), { timeout: 10_000 }).toBe(1);
    await shoot(options, `options-${locale}`);
    await options.close();
  });
});
