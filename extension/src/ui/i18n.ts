// Translated text for the extension's pages: browser.i18n first, the English messages as a
// fallback (a key the browser does not know, or no browser.i18n at all, as in tests).
// Every key used here or in data-i18n attributes must exist in every _locales/*/messages.json
// (test/unit/pages-i18n.test.ts checks).

import browser from 'webextension-polyfill';
import english from '../../_locales/en/messages.json';

interface MessageEntry {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

const FALLBACK = english as Record<string, MessageEntry>;

/** Fills a messages.json entry the way browsers do: $NAME$ placeholders, then $1…$9, and $$. */
export function formatMessage(entry: MessageEntry, substitutions: readonly string[] = []): string {
  const named = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => {
    const placeholder = entry.placeholders?.[name.toLowerCase()];
    return placeholder ? placeholder.content : whole;
  });
  return named.replace(/\$(\$|[1-9])/g, (_whole, which: string) =>
    which === '$' ? '$' : (substitutions[Number(which) - 1] ?? ''),
  );
}

/** The message `key` in the browser's language, with `substitutions` for $1…$9. */
export function t(key: string, substitutions: readonly string[] = []): string {
  let text = '';
  try {
    text = browser.i18n.getMessage(key, [...substitutions]);
  } catch {
    text = '';
  }
  if (text) return text;
  const entry = FALLBACK[key];
  return entry ? formatMessage(entry, substitutions) : key;
}

/** The browser's UI language ("en-US", "zh-CN"), or "en". */
export function uiLanguage(): string {
  try {
    return browser.i18n.getUILanguage() || 'en';
  } catch {
    return 'en';
  }
}

const ATTRIBUTES: ReadonlyArray<readonly [string, string]> = [
  ['data-i18n-placeholder', 'placeholder'],
  ['data-i18n-title', 'title'],
  ['data-i18n-aria-label', 'aria-label'],
];

/**
 * Fills the page's text: `data-i18n="key"` sets an element's text, `data-i18n-placeholder`,
 * `data-i18n-title` and `data-i18n-aria-label` set those attributes. Also sets lang and dir.
 */
export function localizePage(root: Document | Element = document): void {
  for (const element of Array.from(root.querySelectorAll<HTMLElement>('[data-i18n]'))) {
    const key = element.dataset.i18n;
    if (key) element.textContent = t(key);
  }
  for (const [data, attribute] of ATTRIBUTES) {
    for (const element of Array.from(root.querySelectorAll(`[${data}]`))) {
      const key = element.getAttribute(data);
      if (key) element.setAttribute(attribute, t(key));
    }
  }
  const html = (root.nodeType === 9 ? (root as Document) : (root.ownerDocument ?? document)).documentElement;
  html.lang = uiLanguage();
  let direction = '';
  try {
    direction = browser.i18n.getMessage('@@bidi_dir');
  } catch {
    direction = '';
  }
  html.dir = direction === 'rtl' ? 'rtl' : 'ltr';
}
