// Translated text for the extension's pages, through the one translator (shared/i18n.ts).
// Every key used here or in data-i18n attributes must exist in every _locales/*/messages.json
// (test/unit/pages-i18n.test.ts checks).

import browser from 'webextension-polyfill';
import { reasonText as reasonIn, translate, type MessageKey } from '../shared/i18n.js';

/** The message `key` in the browser's language, with `substitutions` for $1…$9. */
export function t(key: MessageKey, substitutions: readonly string[] = []): string {
  return translate(browser.i18n, key, substitutions);
}

/** The reason in words; an unknown reason (a newer host) shows its code. */
export function reasonText(reason: string): string {
  return reasonIn(browser.i18n, reason);
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
    if (key) element.textContent = t(key as MessageKey);
  }
  for (const [data, attribute] of ATTRIBUTES) {
    for (const element of Array.from(root.querySelectorAll(`[${data}]`))) {
      const key = element.getAttribute(data);
      if (key) element.setAttribute(attribute, t(key as MessageKey));
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
