// browser.i18n.getMessage as browsers implement it, over the extension's real _locales: the
// locale's entry, else the default locale's (en), $NAME$ placeholders, then $1…$9 and $$; ""
// for a key no locale has. The fakes of every browser test use this one.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface MessageEntry {
  message: string;
  placeholders?: Record<string, { content: string }>;
}

// happy-dom replaces the global URL, so paths are built with node:path.
const LOCALES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../extension/_locales');
const loaded = new Map<string, Record<string, MessageEntry>>();

function locale(name: string): Record<string, MessageEntry> {
  let messages = loaded.get(name);
  if (!messages) {
    messages = JSON.parse(readFileSync(path.join(LOCALES, name, 'messages.json'), 'utf8')) as Record<
      string,
      MessageEntry
    >;
    loaded.set(name, messages);
  }
  return messages;
}

function fillEntry(entry: MessageEntry, substitutions: readonly string[] = []): string {
  const named = entry.message.replace(
    /\$([A-Za-z0-9_@]+)\$/g,
    (whole, name: string) => entry.placeholders?.[name.toLowerCase()]?.content ?? whole,
  );
  return named.replace(/\$(\$|[1-9])/g, (_whole, which: string) =>
    which === '$' ? '$' : (substitutions[Number(which) - 1] ?? ''),
  );
}

/** getMessage for `localeName` ("en", "zh_CN"), falling back to English as browsers do. */
export function browserGetMessage(localeName = 'en') {
  return (key: string, substitutions?: string | string[]): string => {
    const entry = locale(localeName)[key] ?? locale('en')[key];
    if (!entry) return '';
    return fillEntry(
      entry,
      substitutions === undefined ? [] : typeof substitutions === 'string' ? [substitutions] : substitutions,
    );
  };
}
