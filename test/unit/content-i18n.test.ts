import { afterEach, describe, expect, it } from 'vitest';
import { reasonText, setMessageSource, t } from '../../extension/src/content/core/i18n.js';
import { reasonKey } from '../../extension/src/shared/i18n.js';
import { REASONS } from '../../native-host/shared/verdicts.js';
import { browserGetMessage } from './locale-messages.js';

afterEach(() => setMessageSource(null));

describe('content script messages', () => {
  it('has a translated explanation for every reason', () => {
    const chinese = browserGetMessage('zh_CN');
    const english = browserGetMessage('en');
    for (const reason of Object.keys(REASONS)) {
      expect(chinese(reasonKey(reason)), reason).not.toBe('');
      expect(chinese(reasonKey(reason)), reason).not.toBe(english(reasonKey(reason)));
    }
    expect(reasonKey('smtputf8_unsupported')).toBe('reasonSmtputf8Unsupported');
  });

  it('uses the browser translation, with substitutions', () => {
    setMessageSource(browserGetMessage('zh_CN'));
    expect(t('contentBadgeLabel', ['alice@acme.test', t('verdictDeliverable')])).toBe(
      `alice@acme.test 的邮箱检查：${browserGetMessage('zh_CN')('verdictDeliverable')}`,
    );
    expect(t('contentCardSuggestion', ['alice@gmail.com'])).toBe('您是不是要输入 alice@gmail.com？');
  });

  it('keeps no English copy: the browser falls back to English itself', () => {
    setMessageSource(browserGetMessage('en'));
    expect(t('contentCardMx', ['mx.acme.test'])).toBe('Mail server: mx.acme.test');
    expect(reasonText('mailbox_not_found')).toBe(browserGetMessage('en')('reasonMailboxNotFound'));
  });

  it('shows the key when the extension is gone, and the code for an unknown reason', () => {
    setMessageSource(() => {
      throw new Error('Extension context invalidated.');
    });
    expect(t('contentCardCopy')).toBe('contentCardCopy');
    expect(reasonText('some_future_reason')).toBe('some_future_reason');
    setMessageSource(null);
    expect(t('contentCardCopy')).toBe('contentCardCopy');
  });
});
