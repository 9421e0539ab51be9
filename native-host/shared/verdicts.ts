// The one table of reasons: each reason belongs to exactly one verdict and carries the
// plain-language explanation shown by the CLI, the README and (later) the extension.

export type Verdict = 'deliverable' | 'undeliverable' | 'risky' | 'unknown';

interface ReasonInfo {
  verdict: Verdict;
  summary: string;
}

export const REASONS = {
  mailbox_exists: {
    verdict: 'deliverable',
    summary: 'The mail server accepted this mailbox.',
  },
  invalid_syntax: {
    verdict: 'undeliverable',
    summary: 'This is not a valid email address.',
  },
  no_such_domain: {
    verdict: 'undeliverable',
    summary: 'The domain does not exist (NXDOMAIN).',
  },
  null_mx: {
    verdict: 'undeliverable',
    summary: 'The domain publishes a null MX record (RFC 7505): it accepts no mail.',
  },
  no_mail_server: {
    verdict: 'undeliverable',
    summary: 'The domain has neither an MX record nor an address record to receive mail.',
  },
  mailbox_not_found: {
    verdict: 'undeliverable',
    summary: 'The mail server says this mailbox does not exist.',
  },
  mailbox_disabled: {
    verdict: 'undeliverable',
    summary: 'The mail server says this mailbox is disabled or no longer accepts mail.',
  },
  catch_all: {
    verdict: 'risky',
    summary: 'The server accepts every address at this domain, so acceptance proves nothing.',
  },
  disposable: {
    verdict: 'risky',
    summary: 'The mailbox exists but belongs to a disposable (throwaway) email service.',
  },
  mailbox_full: {
    verdict: 'risky',
    summary: 'The mailbox exists but is full or over quota.',
  },
  greylisted: {
    verdict: 'unknown',
    summary: 'The server asked us to try again later (greylisting or a temporary failure).',
  },
  rate_limited: {
    verdict: 'unknown',
    summary: 'The server limited our connections or recipients; try again later.',
  },
  blocked: {
    verdict: 'unknown',
    summary:
      'The server refused to talk to this machine (IP reputation, blocklist or policy); ' +
      'this says nothing about the mailbox.',
  },
  timeout: {
    verdict: 'unknown',
    summary: 'The mail server did not answer in time.',
  },
  connection_failed: {
    verdict: 'unknown',
    summary: 'Could not connect to any mail server for the domain (port 25 may be blocked on this network).',
  },
  port_blocked: {
    verdict: 'unknown',
    summary:
      'Outbound port 25 seems blocked from this network: connections to several mail servers timed out, ' +
      'so the mailbox could not be asked. Check from a team server (mxlens serve) or through a SOCKS5 proxy.',
  },
  dns_error: {
    verdict: 'unknown',
    summary: 'DNS lookup failed (SERVFAIL or timeout); the domain may still be fine.',
  },
  private_target: {
    verdict: 'unknown',
    summary: 'The mail server address is private, loopback or reserved; refused unless --allow-private.',
  },
  smtputf8_unsupported: {
    verdict: 'unknown',
    summary: 'The address has a non-ASCII local part and the server does not advertise SMTPUTF8.',
  },
  protocol_error: {
    verdict: 'unknown',
    summary: 'The mail server sent a reply that does not follow SMTP.',
  },
  syntax_only: {
    verdict: 'unknown',
    summary: 'Only the syntax was checked (--level syntax).',
  },
  dns_only: {
    verdict: 'unknown',
    summary: 'The domain can receive mail; the mailbox itself was not checked (--level dns).',
  },
} as const satisfies Record<string, ReasonInfo>;

export type Reason = keyof typeof REASONS;

export function verdictOf(reason: Reason): Verdict {
  return REASONS[reason].verdict;
}
