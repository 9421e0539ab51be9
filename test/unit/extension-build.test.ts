// Builds the extension (extension/vite.config.ts) into a temporary folder and checks what a
// browser will load: both manifests, every file they name, classic scripts, icons, locales.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesNamedBy, iconFiles, messageKeysIn, type Manifest } from '../../extension/build/manifests.js';
import { WELCOME_PAGE } from '../../extension/src/background/index.js';
import { buildExtension } from '../harness/extension.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const source = JSON.parse(readFileSync(path.join(repo, 'manifest.json'), 'utf8')) as Manifest;
const { version } = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string };

let out = '';
const dir = (browser: 'chrome' | 'firefox') => path.join(out, browser);
const manifestOf = (browser: 'chrome' | 'firefox') =>
  JSON.parse(readFileSync(path.join(dir(browser), 'manifest.json'), 'utf8')) as Manifest;

function filesUnder(root: string, prefix = ''): string[] {
  return readdirSync(path.join(root, prefix)).flatMap((name) => {
    const relative = prefix ? `${prefix}/${name}` : name;
    return statSync(path.join(root, relative)).isDirectory() ? filesUnder(root, relative) : [relative];
  });
}

let build: ReturnType<typeof buildExtension> | undefined;
beforeAll(() => {
  build = buildExtension();
  out = build.dir;
}, 120_000);

afterAll(() => build?.cleanup());

describe('the extension build', () => {
  it('Chrome: a service worker, the key (fixed development ID), nothing Firefox-only', () => {
    const manifest = manifestOf('chrome');
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.background).toEqual({ service_worker: 'background.js' });
    expect(manifest.key).toBe(source.key);
    expect(typeof manifest.key).toBe('string');
    expect(manifest).not.toHaveProperty('browser_specific_settings');
    expect(manifest.minimum_chrome_version).toBe('120');
  });

  it('Firefox: background scripts, the gecko ID, no key', () => {
    const manifest = manifestOf('firefox');
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.background).toEqual({ scripts: ['background.js'] });
    expect(manifest.browser_specific_settings?.gecko).toEqual({
      id: 'mxlens@mxlens.io',
      strict_min_version: '128.0',
      data_collection_permissions: { required: ['none'] },
    });
    expect(manifest).not.toHaveProperty('key');
    expect(manifest).not.toHaveProperty('minimum_chrome_version');
  });

  it('both: the version from package.json, the same permissions and content scripts', () => {
    for (const browser of ['chrome', 'firefox'] as const) {
      const manifest = manifestOf(browser);
      expect(manifest.version).toBe(version);
      expect(manifest.permissions).toEqual(['nativeMessaging', 'storage', 'contextMenus', 'activeTab', 'alarms']);
      expect(manifest).not.toHaveProperty('host_permissions');
      expect(manifest.content_scripts).toEqual([
        {
          matches: ['http://*/*', 'https://*/*'],
          js: ['content.js'],
          run_at: 'document_idle',
          all_frames: true,
          match_about_blank: true,
        },
      ]);
      expect(manifest.default_locale).toBe('en');
    }
  });

  it('every file a manifest names exists, and so does the welcome page', () => {
    for (const browser of ['chrome', 'firefox'] as const) {
      const named = filesNamedBy(manifestOf(browser));
      expect(named).toEqual(
        expect.arrayContaining([
          'background.js',
          'content.js',
          'popup/popup.html',
          'options/options.html',
          'icons/icon-128.png',
        ]),
      );
      for (const file of [...named, WELCOME_PAGE])
        expect(existsSync(path.join(dir(browser), file)), `${browser}: ${file}`).toBe(true);
    }
  });

  it('the pages load only files that exist', () => {
    for (const page of ['popup/popup.html', 'options/options.html', WELCOME_PAGE]) {
      const html = readFileSync(path.join(dir('chrome'), page), 'utf8');
      const references = [...html.matchAll(/\b(?:src|href)="([^"#]+)"/g)]
        .map((m) => m[1]!)
        .filter((ref) => !/^[a-z]+:/i.test(ref));
      expect(references.length, page).toBeGreaterThan(0);
      for (const ref of references)
        expect(existsSync(path.resolve(path.dirname(path.join(dir('chrome'), page)), ref)), `${page} → ${ref}`).toBe(
          true,
        );
      // Extension pages may not run inline scripts (MV3 CSP).
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>\s*\S/);
    }
  });

  it('content and background scripts are classic single files: no import, no export', () => {
    for (const browser of ['chrome', 'firefox'] as const) {
      for (const file of ['content.js', 'background.js']) {
        const code = readFileSync(path.join(dir(browser), file), 'utf8');
        expect(code, `${browser}/${file}`).not.toMatch(/^\s*import[\s{*'"]/m);
        expect(code, `${browser}/${file}`).not.toMatch(/^\s*export[\s{*]/m);
        expect(code, `${browser}/${file}`).not.toMatch(/\bimport\s*\(/);
        expect(code, `${browser}/${file}`).not.toMatch(/\bimport\.meta\b/);
      }
    }
    // The background is wired to the real browser and exposes the menu handler for end-to-end tests.
    expect(readFileSync(path.join(dir('chrome'), 'background.js'), 'utf8')).toContain('mxlensContextMenuClick');
  });

  it('the icons are PNGs of the sizes the manifest says', () => {
    for (const { size, file } of iconFiles(source)) {
      const png = readFileSync(path.join(dir('chrome'), file));
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.toString('ascii', 12, 16)).toBe('IHDR');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
  });

  it('every __MSG_ key of the manifest is in every locale', () => {
    const keys = messageKeysIn(manifestOf('chrome'));
    expect(keys).toEqual(expect.arrayContaining(['extName', 'extDescription', 'actionTitle']));
    const locales = readdirSync(path.join(dir('chrome'), '_locales'));
    expect(locales).toContain('en');
    for (const locale of locales) {
      const messages = JSON.parse(
        readFileSync(path.join(dir('chrome'), '_locales', locale, 'messages.json'), 'utf8'),
      ) as Record<string, unknown>;
      for (const key of keys) expect(messages, `${locale}: ${key}`).toHaveProperty(key);
    }
  });

  it('the two builds differ only in their manifest', () => {
    const chrome = filesUnder(dir('chrome')).sort();
    expect(filesUnder(dir('firefox')).sort()).toEqual(chrome);
    for (const file of chrome.filter((f) => f !== 'manifest.json')) {
      expect(
        readFileSync(path.join(dir('firefox'), file)).equals(readFileSync(path.join(dir('chrome'), file))),
        file,
      ).toBe(true);
    }
  });
});
