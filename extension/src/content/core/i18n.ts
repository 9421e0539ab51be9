// Every word the content script shows goes through t(): the one translator (shared/i18n.ts)
// over browser.i18n.getMessage, which index.ts passes in (tests pass a stand-in).

import { reasonText as reasonIn, translate, type MessageKey, type MessageSource } from '../../shared/i18n.js';

let source: MessageSource | null = null;

/** index.ts passes browser.i18n.getMessage; tests may pass a fake, or nothing. */
export function setMessageSource(getMessage: MessageSource['getMessage'] | null): void {
  source = getMessage ? { getMessage } : null;
}

export function t(key: MessageKey, substitutions: readonly string[] = []): string {
  return translate(source, key, substitutions);
}

/** The reason in words; a reason this version does not know (a newer host) shows its code. */
export function reasonText(reason: string): string {
  return reasonIn(source, reason);
}
