// How a verdict looks, the same in the page's badges and cards and in the extension's pages: a
// shape and a word, never colour alone, and the result's flags as message keys. Pure: the
// callers translate the keys and build their own elements.

import type { MessageKey } from './i18n.js';
import type { BadgeVerdict, VerificationResult } from './messages.js';

/** A badge's state: a verdict, a check on its way, or not checked at all (content script). */
export type VerdictState = BadgeVerdict | 'unchecked';

export const VERDICT_ICONS: Record<VerdictState, string> = {
  deliverable: '✓',
  undeliverable: '✗',
  risky: '!',
  unknown: '?',
  pending: '…',
  unchecked: '@',
};

export const VERDICT_KEYS: Record<VerdictState, MessageKey> = {
  deliverable: 'verdictDeliverable',
  undeliverable: 'verdictUndeliverable',
  risky: 'verdictRisky',
  unknown: 'verdictUnknown',
  pending: 'verdictPending',
  unchecked: 'contentVerdictUnchecked',
};

/** Outbound port 25 blocked where the check ran: the check could not be made, which says nothing of the address. */
const CANT_CHECK_HERE_ICON = '⊘';

function cantCheckHere(state: VerdictState, reason: string | null | undefined): boolean {
  return state === 'unknown' && reason === 'port_blocked';
}

/** Every icon a badge can show, by name: its states, and "can't check from here". */
export const ALL_ICONS: Record<VerdictState | 'cant-check', string> = {
  ...VERDICT_ICONS,
  'cant-check': CANT_CHECK_HERE_ICON,
};

/** Which of ALL_ICONS a verdict shows. */
export function iconName(state: VerdictState, reason?: string | null): VerdictState | 'cant-check' {
  return cantCheckHere(state, reason) ? 'cant-check' : state;
}

/** The icon and the word's key: "⊘ Can't check from this network" rather than "? Unknown" where port 25 is blocked. */
export function verdictLook(state: VerdictState, reason?: string | null): { icon: string; key: MessageKey } {
  return cantCheckHere(state, reason)
    ? { icon: CANT_CHECK_HERE_ICON, key: 'verdictCantCheckHere' }
    : { icon: VERDICT_ICONS[state], key: VERDICT_KEYS[state] };
}

/** The result's flags worth saying, as message keys, in the order shown. */
export function flagKeys(result: Pick<VerificationResult, 'flags' | 'domainLiteral'>): MessageKey[] {
  const keys: MessageKey[] = [];
  if (result.flags.catchAll === true) keys.push('flagCatchAll');
  if (result.flags.disposable) keys.push('flagDisposable');
  if (result.flags.role) keys.push('flagRole');
  if (result.flags.free) keys.push('flagFree');
  if (result.domainLiteral) keys.push('flagDomainLiteral');
  return keys;
}
