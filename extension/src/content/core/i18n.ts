// Every word the content script shows goes through t(): the browser's translation first
// (browser.i18n.getMessage, set by index.ts), English from this file when there is none.
// Verdict words, reasons and flags share their keys with the extension's pages (ui/i18n.ts),
// so one messages.json entry serves both; the content-only keys start with "content".

import { REASONS, type Reason } from '../../../../native-host/shared/verdicts.js';

type MessageSource = (key: string, substitutions: string[]) => string;

const ENGLISH = {
  verdictDeliverable: 'Deliverable',
  verdictUndeliverable: 'Undeliverable',
  verdictRisky: 'Risky',
  verdictUnknown: 'Unknown',
  verdictPending: 'Checking',
  verdictCantCheckHere: "Can't check from this network",
  flagDisposable: 'Disposable address',
  flagRole: 'Role address (like info@ or sales@)',
  flagFree: 'Free email provider',
  flagCatchAll: 'Catch-all domain',
  contentVerdictUnchecked: 'Not checked',
  contentBadgeLabel: 'Email check for $1: $2',
  contentBadgeLabelUnchecked: 'Email check for $1: not checked yet. Press Enter to check.',
  contentCardTitle: 'MX Lens',
  contentCardChecking: 'Checking this address…',
  contentCardElapsed: 'Running for $1 s',
  contentStageDns: "Looking up the domain's mail servers (MX)…",
  contentStageBudget: 'Waiting: MX Lens paces its checks so mail servers are not flooded…',
  contentStageConnecting: 'Connecting to $1…',
  contentStageSmtp: 'Asking $1 about this mailbox…',
  contentStageGreylisted: '$1 asked us to come back later (greylisting); asking again in $2 s…',
  contentCardNotChecked: 'This address has not been checked yet.',
  contentCardNoAddress: 'No valid email address in the selection.',
  contentCardInput: 'Selected text: $1',
  contentCardInvalid: 'Not a valid email address: $1',
  contentCardMx: 'Mail server: $1',
  contentCardNoMx: 'Mail server: none',
  contentCardSmtp: 'Server reply: $1',
  contentCardSuggestion: 'Did you mean $1?',
  contentCardFailed: 'The check could not be done.',
  contentCardCheckedOnHost: 'Checked on this computer.',
  contentCardCheckedOnServer: 'Checked on the server $1.',
  contentCardRecheck: 'Re-check',
  contentCardCheck: 'Check',
  contentCardCheckMailbox: 'Check mailbox',
  contentCardCopy: 'Copy',
  contentCardCopied: 'Copied',
  contentCardCopyFailed: 'Could not copy',
  contentCardClose: 'Close',
  contentCardDialogLabel: 'Email check details for $1',
} as const;

export type MessageKey = keyof typeof ENGLISH;

let source: MessageSource | null = null;

/** index.ts passes browser.i18n.getMessage; tests may pass a fake, or nothing. */
export function setMessageSource(getMessage: MessageSource | null): void {
  source = getMessage;
}

export function t(key: MessageKey | ReasonKey, substitutions: readonly string[] = []): string {
  let text = '';
  try {
    text = source?.(key, [...substitutions]) ?? '';
  } catch {
    text = '';
  }
  if (text) return text;
  return fill(englishOf(key), substitutions);
}

type ReasonKey = `reason${string}`;

/** "mailbox_exists" → "reasonMailboxExists", the key the pages use too. */
export function reasonKey(reason: string): ReasonKey {
  return `reason${reason
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')}`;
}

/** The reason in words; a reason this version does not know (a newer host) shows its code. */
export function reasonText(reason: string): string {
  if (!Object.hasOwn(REASONS, reason)) return reason;
  return t(reasonKey(reason));
}

function englishOf(key: string): string {
  if (Object.hasOwn(ENGLISH, key)) return ENGLISH[key as MessageKey];
  for (const reason of Object.keys(REASONS) as Reason[]) {
    if (reasonKey(reason) === key) return REASONS[reason].summary;
  }
  return key;
}

function fill(message: string, substitutions: readonly string[]): string {
  return message.replace(/\$([1-9$])/g, (_whole, which: string) =>
    which === '$' ? '$' : (substitutions[Number(which) - 1] ?? ''),
  );
}

/** The English texts, for tests and for merging into _locales. */
export const ENGLISH_MESSAGES: Readonly<Record<MessageKey, string>> = ENGLISH;
