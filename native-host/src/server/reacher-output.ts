import type { VerificationResult } from '../../shared/result.js';
import type { Reason } from '../../shared/verdicts.js';

// One MX Lens result → Reacher's CheckEmailOutput, so tools written for Reacher read MX Lens
// answers unchanged. Pure: the README's "Reacher mapping" table describes the same rules.

export type Reachable = 'safe' | 'invalid' | 'risky' | 'unknown';

interface CoreError {
  type: string;
  message: string;
}

export interface ReacherOutput {
  input: string;
  is_reachable: Reachable;
  misc: { is_disposable: boolean; is_role_account: boolean } | CoreError;
  mx: { accepts_mail: boolean; records: string[] } | CoreError;
  smtp:
    | {
        can_connect_smtp: boolean;
        has_full_inbox: boolean;
        is_catch_all: boolean;
        is_deliverable: boolean;
        is_disabled: boolean;
      }
    | CoreError;
  syntax: {
    address: string | null;
    domain: string;
    is_valid_syntax: boolean;
    username: string;
    normalized_email: string | null;
    suggestion: string | null;
  };
}

/** Reasons where the domain itself takes no mail: Reacher's `mx.accepts_mail: false`. */
const NO_MAIL: ReadonlySet<Reason> = new Set(['no_such_domain', 'null_mx', 'no_mail_server']);
/** Reasons where a mail server answered RCPT for this mailbox: Reacher's SmtpDetails. */
const MAILBOX_ANSWERED: ReadonlySet<Reason> = new Set([
  'mailbox_exists',
  'mailbox_not_found',
  'mailbox_disabled',
  'mailbox_full',
  'catch_all',
  'disposable',
]);
/** Reasons where the server accepted RCPT: Reacher's `is_deliverable`. */
const ACCEPTED: ReadonlySet<Reason> = new Set(['mailbox_exists', 'catch_all', 'disposable']);

/**
 * Reacher's `is_reachable` from MX Lens's verdict. Reacher counts a role account (info@,
 * sales@) as risky even when it exists; so does this mapping, so Reacher clients keep their rules.
 */
export function reachableOf(result: VerificationResult): Reachable {
  switch (result.verdict) {
    case 'deliverable':
      return result.flags.role ? 'risky' : 'safe';
    case 'undeliverable':
      return 'invalid';
    case 'risky':
      return 'risky';
    case 'unknown':
      return 'unknown';
  }
}

export function toReacherOutput(result: VerificationResult): ReacherOutput {
  const { reason } = result;
  const validSyntax = reason !== 'invalid_syntax';
  const at = result.normalized ? result.normalized.lastIndexOf('@') : -1;
  return {
    input: result.address,
    is_reachable: reachableOf(result),
    misc: { is_disposable: result.flags.disposable, is_role_account: result.flags.role },
    mx: mxDetails(result),
    smtp: smtpDetails(result),
    syntax: {
      address: validSyntax ? result.normalized : null,
      domain: at >= 0 ? result.normalized!.slice(at + 1) : '',
      is_valid_syntax: validSyntax,
      username: at >= 0 ? result.normalized!.slice(0, at) : '',
      normalized_email: validSyntax ? result.normalized : null,
      suggestion: result.suggestion,
    },
  };
}

function mxDetails(result: VerificationResult): ReacherOutput['mx'] {
  const { reason } = result;
  if (reason === 'invalid_syntax' || NO_MAIL.has(reason)) return { accepts_mail: false, records: [] };
  if (reason === 'syntax_only') return skipped('the mail servers were not looked up (level syntax)');
  if (reason === 'dns_error') return { type: 'dns_error', message: result.detail };
  return { accepts_mail: true, records: result.mx ? [result.mx] : [] };
}

function smtpDetails(result: VerificationResult): ReacherOutput['smtp'] {
  const { reason } = result;
  const none = {
    can_connect_smtp: false,
    has_full_inbox: false,
    is_catch_all: false,
    is_deliverable: false,
    is_disabled: false,
  };
  if (reason === 'invalid_syntax' || NO_MAIL.has(reason)) return none;
  if (reason === 'syntax_only' || reason === 'dns_only')
    return skipped(`the mail server was not asked (level ${reason === 'syntax_only' ? 'syntax' : 'dns'})`);
  if (!MAILBOX_ANSWERED.has(reason)) return { type: reason, message: result.detail };
  return {
    can_connect_smtp: true,
    has_full_inbox: reason === 'mailbox_full',
    is_catch_all: result.flags.catchAll === true,
    is_deliverable: ACCEPTED.has(reason),
    is_disabled: reason === 'mailbox_disabled',
  };
}

function skipped(message: string): CoreError {
  return { type: 'skipped', message };
}

export const CSV_COLUMNS = [
  'input',
  'is_reachable',
  'misc.is_disposable',
  'misc.is_role_account',
  'mx.accepts_mail',
  'mx.records',
  'smtp.can_connect_smtp',
  'smtp.has_full_inbox',
  'smtp.is_catch_all',
  'smtp.is_deliverable',
  'smtp.is_disabled',
  'syntax.is_valid_syntax',
  'syntax.domain',
  'syntax.username',
  'error',
] as const;

/** One CSV line (RFC 4180 quoting), columns as CSV_COLUMNS. */
export function csvLine(output: ReacherOutput): string {
  const mx = 'accepts_mail' in output.mx ? output.mx : null;
  const smtp = 'can_connect_smtp' in output.smtp ? output.smtp : null;
  const misc = 'is_disposable' in output.misc ? output.misc : null;
  const errors = [output.mx, output.smtp]
    .filter((part): part is CoreError => 'type' in part)
    .map((error) => `${error.type}: ${error.message}`);
  const cells = [
    output.input,
    output.is_reachable,
    misc?.is_disposable ?? '',
    misc?.is_role_account ?? '',
    mx?.accepts_mail ?? '',
    mx?.records.join(';') ?? '',
    smtp?.can_connect_smtp ?? '',
    smtp?.has_full_inbox ?? '',
    smtp?.is_catch_all ?? '',
    smtp?.is_deliverable ?? '',
    smtp?.is_disabled ?? '',
    output.syntax.is_valid_syntax,
    output.syntax.domain,
    output.syntax.username,
    errors.join(' | '),
  ];
  return `${cells.map((cell) => csvCell(String(cell))).join(',')}\r\n`;
}

function csvCell(text: string): string {
  // A leading =, +, - or @ makes spreadsheets run a formula: quote it with a ' first.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}
