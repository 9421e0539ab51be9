import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGLISH_MESSAGES, reasonKey, reasonText, setMessageSource, t } from '../../extension/src/content/core/i18n.js';
import { REASONS } from '../../native-host/shared/verdicts.js';

interface Entry {
  message: string;
  placeholders?: Record<string, { content: string }>;
}

const LOCALES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../extension/_locales');

function locale(name: string): Record<string, Entry> {
  return JSON.parse(readFileSync(path.join(LOCALES, name, 'messages.json'), 'utf8')) as Record<string, Entry>;
}

/** What browser.i18n.getMessage does with an entry: $NAME$ → its content, then $1…$9. */
function resolve(entry: Entry, substitutions: string[] = []): string {
  const named = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => entry.placeholders?.[name.toLowerCase()]?.content ?? whole);
  return named.replace(/\$([1-9])/g, (_whole, n: string) => substitutions[Number(n) - 1] ?? '');
}

afterEach(() => setMessageSource(null));

describe('content script messages', () => {
  it('has every key in English and Simplified Chinese, the English the same as the fallback', () => {
    const english = locale('en');
    const chinese = locale('zh_CN');
    for (const [key, fallback] of Object.entries(ENGLISH_MESSAGES)) {
      expect(english[key], key).toBeDefined();
      expect(chinese[key], key).toBeDefined();
      expect(resolve(english[key]!, ['$1', '$2']), key).toBe(fallback);
    }
  });

  it('has a translated explanation for every reason', () => {
    const chinese = locale('zh_CN');
    for (const reason of Object.keys(REASONS)) expect(chinese[reasonKey(reason)], reason).toBeDefined();
    expect(reasonKey('smtputf8_unsupported')).toBe('reasonSmtputf8Unsupported');
  });

  it('uses the browser translation, with substitutions', () => {
    const chinese = locale('zh_CN');
    setMessageSource((key, substitutions) => (chinese[key] ? resolve(chinese[key], substitutions) : ''));
    expect(t('contentBadgeLabel', ['alice@acme.test', t('verdictDeliverable')])).toBe(
      `alice@acme.test 的邮箱检查：${resolve(chinese.verdictDeliverable!)}`,
    );
    expect(t('contentCardSuggestion', ['alice@gmail.com'])).toBe('您是不是要输入 alice@gmail.com？');
  });

  it('falls back to English when the browser has no text, and to the code for an unknown reason', () => {
    setMessageSource(() => {
      throw new Error('Extension context invalidated.');
    });
    expect(t('contentCardCopy')).toBe('Copy');
    expect(t('contentCardMx', ['mx.acme.test'])).toBe('Mail server: mx.acme.test');
    expect(reasonText('mailbox_not_found')).toBe(REASONS.mailbox_not_found.summary);
    expect(reasonText('some_future_reason')).toBe('some_future_reason');
  });
});
