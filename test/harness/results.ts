// Verification results as the host sends them, for tests of what the extension does with them.

import type { VerificationResult } from '../../native-host/shared/protocol/messages.js';

/** A deliverable result for `address` (mail server mx.<its domain>), with `overrides`. */
export function makeResult(address: string, overrides: Partial<VerificationResult> = {}): VerificationResult {
  return {
    address,
    normalized: address,
    verdict: 'deliverable',
    reason: 'mailbox_exists',
    rule: 'rcpt-accepted',
    mx: `mx.${address.split('@')[1] ?? 'example.org'}`,
    smtp: { code: 250, enhanced: '2.1.5', message: 'OK' },
    flags: { disposable: false, role: false, free: false, catchAll: false },
    suggestion: null,
    detail: 'The mail server accepted this mailbox.',
    ...overrides,
  };
}

/** A greylisted result: unknown for now, worth asking again after `retryAfterMs`. */
export function greylisted(address: string, retryAfterMs = 60_000): VerificationResult {
  return makeResult(address, {
    verdict: 'unknown',
    reason: 'greylisted',
    smtp: { code: 451, enhanced: '4.7.1', message: 'Greylisted, try again later' },
    retryAfterMs,
  });
}
