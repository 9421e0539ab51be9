// Translated text for the background: browser.i18n first; the English messages.json as the
// fallback for a key the browser does not know (or no translations at all, as in tests).

import english from '../../_locales/en/messages.json';
import type { ApiI18n } from './browser-api.js';

interface MessageEntry {
  message: string;
  placeholders?: Record<string, { content: string }>;
}

const ENGLISH = english as Record<string, MessageEntry | undefined>;

/** Fills a messages.json entry as browsers do: $NAME$ placeholders, then $1…$9, and $$. */
export function formatEntry(entry: MessageEntry, substitutions: readonly string[] = []): string {
  const named = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => entry.placeholders?.[name.toLowerCase()]?.content ?? whole);
  return named.replace(/\$(\$|[1-9])/g, (_, which: string) => (which === '$' ? '$' : (substitutions[Number(which) - 1] ?? '')));
}

export function translate(i18n: ApiI18n, key: string, substitutions: readonly string[] = []): string {
  let text = '';
  try {
    text = i18n.getMessage(key, [...substitutions]);
  } catch {
    text = '';
  }
  if (text) return text;
  const entry = ENGLISH[key];
  return entry ? formatEntry(entry, substitutions) : key;
}

/** Is this key in the English messages (the default locale)? */
export function hasMessage(key: string): boolean {
  return ENGLISH[key] !== undefined;
}
