import { describe, expect, it } from 'vitest';
import type { VerificationResult } from '../../native-host/shared/result.js';
import { REASONS, type Reason } from '../../native-host/shared/verdicts.js';
import { csvLine, reachableOf, toReacherOutput } from '../../native-host/src/server/reacher-output.js';

// MX Lens results → Reacher's CheckEmailOutput: the mapping the README documents.

function result(reason: Reason, overrides: Partial<VerificationResult> = {}): VerificationResult {
  // A cast, not a literal type: fields the engine adds later need not be spelled out here.
  const base = {
    address: 'Jane.Doe@Example.com',
    normalized: 'Jane.Doe@example.com',
    verdict: REASONS[reason].verdict,
    reason,
    mx: 'mx.example.com',
    smtp: { code: 250, enhanced: '2.1.5', message: 'OK' },
    flags: { disposable: false, role: false, free: false, catchAll: false },
    suggestion: null,
    detail: `detail of ${reason}`,
  };
  return { ...base, ...overrides } as VerificationResult;
}

describe('is_reachable', () => {
  it('follows the verdict: deliverable safe, undeliverable invalid, risky risky, unknown unknown', () => {
    for (const reason of Object.keys(REASONS) as Reason[]) {
      const expected = { deliverable: 'safe', undeliverable: 'invalid', risky: 'risky', unknown: 'unknown' }[
        REASONS[reason].verdict
      ];
      expect(reachableOf(result(reason)), reason).toBe(expected);
    }
  });

  it('calls an existing role account risky, as Reacher does', () => {
    const role = result('mailbox_exists', { flags: { disposable: false, role: true, free: false, catchAll: false } });
    expect(reachableOf(role)).toBe('risky');
    expect(toReacherOutput(role).misc).toEqual({ is_disposable: false, is_role_account: true });
  });
});

describe('CheckEmailOutput', () => {
  it('an accepted mailbox: mx records, SMTP details, syntax parts', () => {
    expect(toReacherOutput(result('mailbox_exists'))).toEqual({
      input: 'Jane.Doe@Example.com',
      is_reachable: 'safe',
      misc: { is_disposable: false, is_role_account: false },
      mx: { accepts_mail: true, records: ['mx.example.com'] },
      smtp: {
        can_connect_smtp: true,
        has_full_inbox: false,
        is_catch_all: false,
        is_deliverable: true,
        is_disabled: false,
      },
      syntax: {
        address: 'Jane.Doe@example.com',
        domain: 'example.com',
        is_valid_syntax: true,
        username: 'Jane.Doe',
        normalized_email: 'Jane.Doe@example.com',
        suggestion: null,
      },
    });
  });

  it('SMTP answers about the mailbox become SmtpDetails', () => {
    expect(toReacherOutput(result('mailbox_full')).smtp).toMatchObject({ has_full_inbox: true, is_deliverable: false });
    expect(toReacherOutput(result('mailbox_disabled')).smtp).toMatchObject({
      is_disabled: true,
      is_deliverable: false,
    });
    expect(toReacherOutput(result('mailbox_not_found')).smtp).toMatchObject({
      can_connect_smtp: true,
      is_deliverable: false,
    });
    const catchAll = result('catch_all', { flags: { disposable: false, role: false, free: false, catchAll: true } });
    expect(toReacherOutput(catchAll).smtp).toMatchObject({ is_catch_all: true, is_deliverable: true });
  });

  it('a check that could not ask the mailbox becomes a CoreError named after the reason', () => {
    for (const reason of ['timeout', 'connection_failed', 'blocked', 'greylisted', 'private_target'] as Reason[]) {
      expect(toReacherOutput(result(reason)).smtp, reason).toEqual({ type: reason, message: `detail of ${reason}` });
    }
    expect(toReacherOutput(result('dns_error')).mx).toEqual({ type: 'dns_error', message: 'detail of dns_error' });
  });

  it('a domain without mail, and a bad address, accept no mail and have no SMTP', () => {
    for (const reason of ['no_such_domain', 'null_mx', 'no_mail_server'] as Reason[]) {
      const output = toReacherOutput(result(reason, { mx: null, smtp: null }));
      expect(output.mx).toEqual({ accepts_mail: false, records: [] });
      expect(output.smtp).toMatchObject({ can_connect_smtp: false, is_deliverable: false });
      expect(output.is_reachable).toBe('invalid');
    }
    const bad = toReacherOutput(result('invalid_syntax', { address: 'nope', normalized: null, mx: null, smtp: null }));
    expect(bad.syntax).toEqual({
      address: null,
      domain: '',
      is_valid_syntax: false,
      username: '',
      normalized_email: null,
      suggestion: null,
    });
  });

  it('checks stopped early say what was skipped', () => {
    expect(toReacherOutput(result('syntax_only', { mx: null, smtp: null })).mx).toMatchObject({ type: 'skipped' });
    expect(toReacherOutput(result('dns_only', { smtp: null })).smtp).toMatchObject({ type: 'skipped' });
    expect(toReacherOutput(result('dns_only', { smtp: null })).mx).toEqual({
      accepts_mail: true,
      records: ['mx.example.com'],
    });
  });
});

describe('CSV', () => {
  it('quotes commas and quotes, and defuses spreadsheet formulas', () => {
    const line = csvLine(
      toReacherOutput(
        result('invalid_syntax', { address: '=HYPERLINK("x"),a', normalized: null, mx: null, smtp: null }),
      ),
    );
    expect(line.startsWith(`"'=HYPERLINK(""x""),a",invalid,`)).toBe(true);
    expect(line.endsWith('\r\n')).toBe(true);
  });
});
