// The one translator of the extension (background, pages, content script). The browser already
// falls back to the default locale (en) for a key a locale lacks, so there is no English copy
// here; only when the browser gives nothing at all (a key no locale has, or the extension
// context is gone) does the key itself show.

import type ENGLISH_MESSAGES from '../../_locales/en/messages.json';
import { REASONS } from '../../../native-host/shared/verdicts.js';

/** Every message key: the default locale's messages.json (type only, nothing is bundled). */
export type MessageKey = keyof typeof ENGLISH_MESSAGES;

/** browser.i18n (or chrome.i18n), or a test's stand-in. */
export interface MessageSource {
  getMessage(key: string, substitutions?: string[]): string;
}

export function translate(i18n: MessageSource | null, key: MessageKey, substitutions: readonly string[] = []): string {
  let text = '';
  try {
    text = i18n?.getMessage(key, [...substitutions]) ?? '';
  } catch {
    text = ''; // "Extension context invalidated": the page outlived its extension
  }
  return text || key;
}

/** "mailbox_exists" → "reasonMailboxExists". */
export function reasonKey(reason: string): MessageKey {
  const words = reason.split('_').map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `reason${words.join('')}` as MessageKey;
}

/** The reason in words; a reason this version does not know (a newer host) shows its code. */
export function reasonText(i18n: MessageSource | null, reason: string): string {
  return Object.hasOwn(REASONS, reason) ? translate(i18n, reasonKey(reason)) : reason;
}
