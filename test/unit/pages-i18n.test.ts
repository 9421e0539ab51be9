import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { REASONS } from '../../native-host/shared/verdicts.js';

vi.mock('webextension-polyfill', async () => ({ default: (await import('./pages-fake-browser.js')).fake.browser }));

const { reasonKey } = await import('../../extension/src/shared/i18n.js');
const { VERDICT_KEYS } = await import('../../extension/src/shared/verdict-look.js');

// Every message key the extension uses exists in every locale, and the locales agree.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = path.join(ROOT, 'extension/src');
const LOCALES_DIR = path.join(ROOT, 'extension/_locales');

interface Entry {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

function readLocale(locale: string): { text: string; messages: Record<string, Entry> } {
  const text = readFileSync(path.join(LOCALES_DIR, locale, 'messages.json'), 'utf8');
  return { text, messages: JSON.parse(text) as Record<string, Entry> };
}

const locales = readdirSync(LOCALES_DIR).filter((name) => statSync(path.join(LOCALES_DIR, name)).isDirectory());
const files = walk(SRC);
const withoutComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** Keys named in code: t('key', …) calls, anywhere in extension/src. */
function keysFromCode(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files.filter((name) => /\.(ts|tsx|js|mjs)$/.test(name))) {
    const code = withoutComments(readFileSync(file, 'utf8'));
    for (const match of code.matchAll(/\bt\(\s*['"`]([A-Za-z0-9_@]+)['"`]/g))
      found.set(match[1]!, path.relative(ROOT, file));
    for (const match of code.matchAll(/getMessage\(\s*['"`]([A-Za-z0-9_]+)['"`]/g))
      found.set(match[1]!, path.relative(ROOT, file));
    // The pages' own keys also travel as data (key maps, validation errors): catch them by prefix.
    if (/extension\/src\/(ui|popup|options|welcome|shared)\//.test(file.split(path.sep).join('/'))) {
      for (const match of code.matchAll(
        /['"`]((?:common|detail|flag|options|popup|reason|status|verdict|welcome)[A-Z][A-Za-z0-9]*)['"`]/g,
      )) {
        found.set(match[1]!, path.relative(ROOT, file));
      }
    }
  }
  return found;
}

/** Keys named in HTML: data-i18n and data-i18n-* attributes, and __MSG_key__. */
function keysFromHtml(): Map<string, string> {
  const found = new Map<string, string>();
  const sources = files.filter((name) => name.endsWith('.html'));
  const manifests = ['manifest.json', 'extension/manifest.json']
    .map((name) => path.join(ROOT, name))
    .filter((name) => existsSync(name));
  for (const file of sources) {
    const html = readFileSync(file, 'utf8');
    for (const match of html.matchAll(/\bdata-i18n(?:-[a-z-]+)?="([^"]+)"/g))
      found.set(match[1]!, path.relative(ROOT, file));
  }
  for (const file of [...sources, ...manifests]) {
    for (const match of readFileSync(file, 'utf8').matchAll(/__MSG_([A-Za-z0-9_@]+)__/g))
      found.set(match[1]!, path.relative(ROOT, file));
  }
  return found;
}

describe('locales', () => {
  it('include English and Simplified Chinese', () => {
    expect(locales).toEqual(expect.arrayContaining(['en', 'zh_CN']));
  });

  it.each(locales)('%s is well-formed JSON with sorted keys and a message each', (locale) => {
    const { text, messages } = readLocale(locale);
    expect(text.startsWith('\uFEFF')).toBe(false);
    const keys = Object.keys(messages);
    expect(keys).toEqual([...keys].sort());
    for (const key of keys) {
      expect(key, key).toMatch(/^[A-Za-z0-9_@]+$/);
      const entry = messages[key]!;
      expect(typeof entry.message, key).toBe('string');
      expect(entry.message.trim(), key).not.toBe('');
      // Translators see where and how each text is used.
      expect(entry.description?.trim(), `${locale} ${key} has no description`).toBeTruthy();
      // Every $NAME$ in a message has a placeholder, and every placeholder is used.
      const used = [...entry.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((match) => match[1]!.toLowerCase()).sort();
      expect(used, key).toEqual(Object.keys(entry.placeholders ?? {}).sort());
    }
  });

  it('all have the same keys and the same placeholders', () => {
    const english = readLocale('en').messages;
    for (const locale of locales) {
      const messages = readLocale(locale).messages;
      expect(Object.keys(messages).sort(), locale).toEqual(Object.keys(english).sort());
      for (const [key, entry] of Object.entries(english)) {
        const content = (e: Entry | undefined) =>
          Object.fromEntries(
            Object.entries(e?.placeholders ?? {}).map(([name, placeholder]) => [name, placeholder.content]),
          );
        expect(content(messages[key]), `${locale} ${key}`).toEqual(content(entry));
      }
    }
  });

  it('have the extension name, description and context menu item', () => {
    for (const locale of locales) {
      const { messages } = readLocale(locale);
      for (const key of ['extName', 'extDescription', 'contextMenuVerify'])
        expect(messages[key], `${locale} ${key}`).toBeDefined();
    }
    expect(readLocale('en').messages.contextMenuVerify?.message).toBe('Verify this address');
    expect(readLocale('zh_CN').messages.contextMenuVerify?.message).toBe('验证此地址');
    // Chrome Web Store limit.
    for (const locale of locales)
      expect(readLocale(locale).messages.extDescription!.message.length).toBeLessThanOrEqual(132);
  });

  it('explain every reason and name every verdict', () => {
    const keys: string[] = [...Object.keys(REASONS).map(reasonKey), ...Object.values(VERDICT_KEYS)];
    expect(new Set(keys).size).toBe(keys.length);
    for (const locale of locales) {
      const { messages } = readLocale(locale);
      for (const key of keys) expect(messages[key], `${locale} ${key}`).toBeDefined();
    }
  });

  function missingKeys(used: Map<string, string>): Record<string, string[]> {
    return Object.fromEntries(
      locales.map((locale) => {
        const { messages } = readLocale(locale);
        return [locale, [...used].filter(([key]) => !(key in messages)).map(([key, file]) => `${key} (${file})`)];
      }),
    );
  }
  const noneMissing = () => Object.fromEntries(locales.map((locale) => [locale, []]));
  const isPage = (file: string) => /^extension\/src\/(ui|popup|options|welcome)\//.test(file.split(path.sep).join('/'));

  it('contain every key the pages use (popup, options, welcome, ui)', () => {
    const used = new Map([...keysFromCode(), ...keysFromHtml()].filter(([, file]) => isPage(file)));
    expect(used.size).toBeGreaterThan(100);
    expect(missingKeys(used)).toEqual(noneMissing());
  });

  it('contain every key used anywhere in extension/src and the manifest', () => {
    expect(missingKeys(new Map([...keysFromCode(), ...keysFromHtml()]))).toEqual(noneMissing());
  });
});
