// A verification result, for people: the verdict as an icon and a word (never colour alone),
// the reason in words, and what the mail server said. Everything from the result is text.

import { serverOf } from '../shared/check-location.js';
import type { BadgeVerdict, VerificationResult } from '../shared/messages.js';
import { flagKeys, VERDICT_KEYS, verdictLook } from '../shared/verdict-look.js';
import { el } from './dom.js';
import { reasonText, t } from './i18n.js';

/** Where the check ran, for people: "this computer" or "the server https://…". */
function checkedOnText(result: VerificationResult): string {
  const server = serverOf(result);
  return server === null ? t('checkedOnThisComputer') : t('checkedOnServer', [server]);
}

/** Icon + word, e.g. "✓ Deliverable"; with the result's reason, "⊘ Can't check from this network" where port 25 is blocked. */
export function renderVerdictBadge(verdict: BadgeVerdict, reason?: string): HTMLElement {
  const known: BadgeVerdict = Object.hasOwn(VERDICT_KEYS, verdict) ? verdict : 'unknown';
  const look = verdictLook(known, reason);
  return el('span', { className: `verdict verdict--${known}` }, [
    el('span', { className: 'verdict__icon', text: look.icon, attrs: { 'aria-hidden': 'true' } }),
    el('span', { className: 'verdict__word', text: t(look.key) }),
  ]);
}

export interface VerdictViewOptions {
  /** When given, the "did you mean …?" suggestion is a button that calls this. */
  onSuggestion?: (address: string) => void;
}

function row(label: string, ...value: Array<Node | string>): HTMLElement[] {
  return [el('dt', { text: label }), el('dd', {}, value)];
}

function flagList(result: VerificationResult): HTMLElement | null {
  const items = flagKeys(result).map((key) => t(key));
  if (items.length === 0) return null;
  return el(
    'ul',
    { className: 'flags' },
    items.map((text) => el('li', { className: 'flag', text })),
  );
}

/**
 * "No" only when the mail server answered about mailboxes: when it refused us (blocked, rate
 * limited, greylisted, unreachable), the catch-all question was never really asked.
 */
function catchAllText(result: VerificationResult): string {
  if (result.flags.catchAll === true) return t('detailCatchAllYes');
  if (result.flags.catchAll === false && result.verdict !== 'unknown') return t('detailCatchAllNo');
  return t('detailCatchAllNotProbed');
}

function tlsText(result: VerificationResult): string | null {
  if (!result.tls) return null;
  if (!result.tls.used) return t('detailTlsNotUsed');
  if (result.tls.certificateValid === false) return t('detailTlsCertificateInvalid');
  return t('detailTlsUsed');
}

/** The suggestion, as a sentence ("Did you mean bob@gmail.com?"), optionally a button. */
function renderSuggestion(suggestion: string, onSuggestion?: (address: string) => void): HTMLElement {
  const text = t('detailSuggestion', [suggestion]);
  if (!onSuggestion) return el('p', { className: 'suggestion', text });
  const button = el('button', { className: 'link-button', text, attrs: { type: 'button' } });
  button.addEventListener('click', () => onSuggestion(suggestion));
  return el('p', { className: 'suggestion' }, [button]);
}

/**
 * The details block for one result, under a summary that already shows the verdict: the reason
 * once, in the reader's language, then the evidence. The host's own sentence (English) goes
 * with the SMTP conversation under "Technical details", not beside its translation.
 */
export function renderResultDetails(result: VerificationResult, options: VerdictViewOptions = {}): HTMLElement {
  const block = el('div', { className: 'result-details' });
  if (result.suggestion) block.append(renderSuggestion(result.suggestion, options.onSuggestion));

  const list = el('dl', { className: 'detail-list' });
  list.append(
    ...row(
      t('detailReason'),
      el('span', { text: reasonText(result.reason) }),
      ' ',
      el('code', { className: 'reason-code', text: result.reason }),
    ),
  );
  if (result.normalized && result.normalized !== result.address) {
    list.append(...row(t('detailNormalized'), el('span', { className: 'address', text: result.normalized })));
  }
  list.append(...row(t('detailMx'), result.mx ?? t('detailMxNone')));
  if (result.smtp) {
    const code = result.smtp.enhanced ? `${result.smtp.code} ${result.smtp.enhanced}` : String(result.smtp.code);
    list.append(...row(t('detailSmtpCode'), el('code', { text: code })));
    if (result.smtp.message) {
      list.append(...row(t('detailSmtpReply'), el('pre', { className: 'smtp-reply', text: result.smtp.message })));
    }
  } else {
    list.append(...row(t('detailSmtpCode'), t('detailSmtpNone')));
  }
  list.append(...row(t('detailCatchAll'), catchAllText(result)));
  list.append(...row(t('detailCheckedOn'), checkedOnText(result)));
  const flags = flagList(result);
  list.append(...row(t('detailFlags'), flags ?? t('detailFlagsNone')));
  const tls = tlsText(result);
  if (tls) list.append(...row(t('detailTls'), tls));
  if (result.retryAfterMs !== undefined && result.retryAfterMs > 0) {
    const seconds = String(Math.max(1, Math.round(result.retryAfterMs / 1000)));
    list.append(...row(t('detailRetry'), t('detailRetryAfter', [seconds])));
  }
  block.append(list);
  const technical: HTMLElement[] = [];
  if (result.detail)
    technical.push(
      el('p', {}, [el('strong', { text: t('detailHostNote') }), ' ', el('span', { text: result.detail })]),
    );
  if (result.transcript && result.transcript.length > 0) {
    technical.push(
      el('p', {}, [el('strong', { text: t('detailTranscript') })]),
      el('pre', { text: result.transcript.join('\n') }),
    );
  }
  if (technical.length > 0) {
    block.append(
      el('details', { className: 'transcript' }, [el('summary', { text: t('detailTechnical') }), ...technical]),
    );
  }
  return block;
}
