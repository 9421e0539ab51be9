// Copying to the clipboard, and a <code> block with a Copy button.

import { el } from './dom.js';
import { t } from './i18n.js';

/** Puts `text` on the clipboard; false when the browser refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection way
  }
  const area = el('textarea', { className: 'visually-hidden', attrs: { readonly: '', 'aria-hidden': 'true' } });
  area.value = text;
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

/** A short-lived message in a live region next to a button ("Copied", "Could not copy"). */
export function announce(region: HTMLElement, text: string, clearAfterMs = 2500): void {
  region.textContent = text;
  window.setTimeout(() => {
    if (region.textContent === text) region.textContent = '';
  }, clearAfterMs);
}

/**
 * Code for the screen: one block per line, each word unbreakable, so a narrow popup wraps a
 * command between words and never inside `--extension-id`; continuation lines are indented.
 */
function renderCodeLines(text: string): HTMLElement {
  const code = el('code');
  text.split('\n').forEach((line, index) => {
    if (index > 0) code.append('\n');
    const words = line.split(' ');
    const shown = el('span', { className: 'code-line' });
    words.forEach((word, at) => {
      if (at > 0) shown.append(' ');
      shown.append(el('span', { className: 'code-word', text: word }));
    });
    code.append(shown);
  });
  return code;
}

/** A command or path shown as code, with a Copy button that copies exactly that text. */
export function renderCopyableCode(text: string, label?: string): HTMLElement {
  const code = renderCodeLines(text);
  const feedback = el('span', { className: 'copy-feedback', attrs: { role: 'status', 'aria-live': 'polite' } });
  const button = el('button', {
    className: 'button button--small',
    text: t('commonCopy'),
    attrs: { type: 'button', 'aria-label': label ? t('commonCopyLabel', [label]) : t('commonCopy') },
  });
  button.addEventListener('click', () => {
    void copyText(text).then((copied) => announce(feedback, copied ? t('commonCopied') : t('commonCopyFailed')));
  });
  return el('div', { className: 'code-block' }, [
    el('pre', {}, [code]),
    el('div', { className: 'code-block__actions' }, [button, feedback]),
  ]);
}
