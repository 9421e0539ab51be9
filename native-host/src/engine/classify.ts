import type { SmtpPhase, SmtpReply } from './result.js';
import type { Reason } from './verdicts.js';

// From one SMTP reply (and the phase it answered) to a reason, through ONE table.
//
// How to read the table
// ---------------------
// The table is a list of STAGES, tried top to bottom; the first stage with a matching row
// decides. Rows inside one stage are meant to agree: when two rows of the same stage match
// the same reply they give the same reason (the corpus test checks this), so the order of
// rows inside a stage never changes the meaning, only which rule id is reported. All the
// precedence lives in the order of the stages, and each stage says why it sits where it is.
//
// The order, in one breath: acceptance, then malformed replies, then a named blocklist
// (the strongest evidence there is: it is about our IP, whatever code came with it), then a
// few vendor replies whose words would mislead, then decisive enhanced codes, then words
// that state a delay (greylisting, rate limits), then words that name a block or policy,
// then basic codes that carry meaning on their own, then words about the mailbox, then the
// fallbacks by code class.
//
// Two invariants hold by construction (and are tested over the table itself):
//  - only RCPT replies can say anything about the mailbox: every row whose reason is
//    mailbox_not_found / mailbox_disabled / mailbox_full / mailbox_exists is RCPT-only;
//  - only a permanent (5xx) reply can make an address undeliverable: a 4xx never does.

/** Which replies a row matches; every given field must hold (AND). */
export interface ReplyMatcher {
  /** Basic codes: exact numbers, a class ("4xx"), or "invalid" (not 200–599). */
  codes?: readonly CodeSpec[];
  /** Enhanced codes: "5.1.1", "x.2.2" (any class), "5.7.*" (any detail). */
  enhanced?: readonly string[];
  /** Enhanced codes that exclude the row even when everything else matches. */
  exceptEnhanced?: readonly string[];
  /** Reply text (all lines, whitespace collapsed); case-insensitive. */
  text?: RegExp;
}

export type CodeSpec = number | '2xx' | '3xx' | '4xx' | '5xx' | 'invalid';

export interface Rule {
  id: string;
  /** Id of the stage the row belongs to (see STAGES). */
  stage: string;
  phases: readonly SmtpPhase[];
  match: ReplyMatcher;
  reason: Reason;
  /** Why this reply means this reason: shown by the CLI to explain a verdict. */
  why: string;
}

export interface Stage {
  id: string;
  /** Why this stage sits where it does in the order. */
  precedence: string;
  rules: readonly Omit<Rule, 'stage'>[];
}

export interface Classification {
  reason: Reason;
  /** Id of the table row that matched, for --verbose and tests. */
  rule: string;
  /** For greylisted / rate_limited: the delay the server asked for, when its text states one. */
  retryAfterMs?: number;
}

const ANY: readonly SmtpPhase[] = ['connect', 'banner', 'ehlo', 'helo', 'starttls', 'mail', 'rcpt'];
const RCPT: readonly SmtpPhase[] = ['rcpt'];
const BEFORE_RCPT: readonly SmtpPhase[] = ['connect', 'banner', 'ehlo', 'helo', 'starttls', 'mail'];

// ---------------------------------------------------------------------------------------
// Vocabulary. Each pattern is one family of phrases; rows below combine them with codes.
// ---------------------------------------------------------------------------------------

/** A named DNS blocklist or the Postfix reject_rbl_client wording. Never about a mailbox. */
const NAMED_BLOCKLIST =
  /spamhaus|spamcop|\bsorbs\b|uceprotect|barracudacentral|\bbrbl\b|\b(?:dns)?rbl\b|\bdnsbl\b|\b(?:block|black|deny) ?list(?:ed)?\b|(?<!not )\blisted (?:at|on|in|by)\b|\bblocked using\b/i;

/** Greylisting says so by name (and Postgrey links its help page). */
const GREYLISTING = /\bgr[ae]y-?list|postgrey/i;

/** The server limits how fast or how much we may send. */
const RATE_LIMIT =
  /rate[ -]?limit|frequency limit|too many (?:connections|concurrent|simultaneous|sessions|messages|recipients|mails?|emails?|requests)|too (?:fast|quickly)|slow down|connection limit|maximum number of (?:concurrent )?(?:\w+ )?connections/i;

/** Sender reputation or spam judgement about us. */
const REPUTATION = /reputation|\bspam\b|unsolicited|unusual (?:sending )?activity/i;

/** The server refuses this client: its IP, its reverse DNS, its HELO name or its sender. */
const CLIENT_REFUSED =
  /client host rejected|helo command rejected|sender address rejected|sender verif(?:y|ication) failed|verification failed for|sender (?:domain|address) (?:does not exist|not found|unknown|invalid)|invalid sender|unknown sender|\b(?:sender|sending|your|this|client|connecting) ip\b|reverse (?:dns|hostname|lookup)|\brdns\b|\bptr\b|dynamic (?:ip|address|pool|range)|residential|dial-?up/i;

/** Generic refusal on policy grounds: a relay refusal, an access rule, a ban. */
const POLICY_REFUSAL =
  /\bpolic(?:y|ies)\b|access denied|relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited)|unable to relay|do not relay|rcpthosts|administrative prohibition|prohibited|\bbanned\b|\bblocked\b|not (?:allowed|permitted|authori[sz]ed) to (?:send|relay|connect)/i;

/** The server wants TLS before anything else. */
const TLS_REQUIRED = /starttls|\btls\b[^.]*\brequired|encryption required|requires? (?:a )?(?:secure|encrypted) connection/i;

/** Microsoft's directory-based edge blocking: the tenant has no such recipient. */
const MS_DIRECTORY_REJECT = /recipient address rejected: ?access denied/i;

/** The mailbox exists but is switched off. */
const MAILBOX_DISABLED =
  /(?:account|mailbox|user|address|recipient)(?: has been| is| was)? (?:disabled|deactivated|suspended|inactive|closed|terminated)\b|\binactive (?:user|account|mailbox|recipient)|\b(?:disabled|suspended|deactivated) (?:user|account|mailbox|recipient)|no longer (?:active|in use)/i;

/** The mailbox exists but is over its quota. (Not "insufficient system storage": that is the server's disk.) */
const MAILBOX_FULL =
  /over ?quota|quota (?:exceeded|full)|exceed(?:s|ed)? (?:its |the |their |his |her )?(?:mailbox |storage |disk )?quota|(?:mailbox|inbox) (?:is )?full|full mailbox|mailbox size limit|exceeded storage allocation|storage allocation exceeded/i;

/** The server says there is no such mailbox. */
const NO_SUCH_MAILBOX =
  /user unknown|unknown (?:user|recipient|mailbox|address)|no such (?:user|mailbox|recipient|account|address)|(?:user|mailbox|recipient|account|address|addressee) (?:is |was )?(?:unknown|not found|not listed|not local|does ?n[o']?t exist)|does not exist|doesn't exist|mailbox (?:unavailable|not found)|recipient not found|invalid (?:recipient|mailbox|user|address)|not a valid (?:user|mailbox|recipient)|address rejected|no mailbox|unroute?able address|doesn't have an? [\w.-]+ account|#5\.1\.1\b/i;

/** Weakest mailbox evidence: the refusal at least names the recipient/user/mailbox. */
const NAMES_MAILBOX = /\b(?:recipient|user|mailbox|addressee|account)\b/i;

// ---------------------------------------------------------------------------------------
// The table.
// ---------------------------------------------------------------------------------------

export const STAGES: readonly Stage[] = [
  {
    id: 'accept',
    precedence: 'An acceptance is an acceptance: nothing in its text can turn it into a refusal.',
    rules: [
      {
        id: 'rcpt-accepted',
        phases: RCPT,
        match: { codes: [250, 251] },
        reason: 'mailbox_exists',
        // 251 "user not local; will forward" is still an acceptance of the address.
        why: 'The server accepted the recipient (250/251) at RCPT TO.',
      },
    ],
  },
  {
    id: 'shape',
    precedence: 'A reply that is not a refusal, or not SMTP at all, must not reach any rule that reads meaning into codes.',
    rules: [
      {
        id: 'code-out-of-range',
        phases: ANY,
        match: { codes: ['invalid'] },
        reason: 'protocol_error',
        // SMTP codes are 2xx–5xx; anything else (600, 199, garbage) is a broken server or not SMTP.
        why: 'The reply code is outside the SMTP range 200–599.',
      },
      {
        id: 'not-a-rejection',
        phases: ANY,
        match: { codes: ['2xx', '3xx'] },
        reason: 'protocol_error',
        // RCPT TO may only be answered 250/251 (accept) or 4xx/5xx; a 252 or a 354 there means
        // the server is confused. In other phases this function only sees refusals.
        why: 'The server answered with a success or intermediate code where SMTP does not allow one.',
      },
    ],
  },
  {
    id: 'named-blocklist',
    precedence:
      'A reply that names a DNS blocklist is about our IP address, whatever code it came with: servers ' +
      'often send 550 (or even 5.1.1) for a blocklist hit, so this outranks every mailbox signal.',
    rules: [
      {
        id: 'blocklist-named',
        phases: ANY,
        match: { codes: ['4xx', '5xx'], text: NAMED_BLOCKLIST },
        reason: 'blocked',
        why: 'The server refused us because our IP is on a blocklist (Spamhaus, an RBL/DNSBL…); this says nothing about the mailbox.',
      },
    ],
  },
  {
    id: 'named-cases',
    precedence:
      'Vendor replies whose words would mislead the generic rules below; they go before the ' +
      'enhanced-code and text stages so the generic reading never sees them.',
    rules: [
      {
        id: 'ms365-directory-reject',
        phases: RCPT,
        match: { codes: [550], enhanced: ['5.4.1'], text: MS_DIRECTORY_REJECT },
        reason: 'mailbox_not_found',
        // Exchange Online's directory-based edge blocking answers "Access denied" for addresses
        // missing from the tenant's directory. The words look like a block; they are not.
        why: 'Microsoft 365 refuses recipients that are not in the organisation\'s directory with "550 5.4.1 … Access denied".',
      },
      {
        id: 'starttls-required',
        phases: ANY,
        match: { codes: ['5xx'], text: TLS_REQUIRED },
        reason: 'blocked',
        // "530 5.7.0 Must issue a STARTTLS command first": the server will talk only over TLS
        // (or TLS failed and we fell back to plain text). A session matter, not a mailbox one.
        why: 'The server requires STARTTLS before it will answer; nothing was learned about the mailbox.',
      },
    ],
  },
  {
    id: 'enhanced-code',
    precedence:
      'RFC 3463 codes are the most precise machine-readable signal, so they outrank the basic code ' +
      'and the text. Only codes that decide on their own are here; generic ones (x.0.0, x.5.0, ' +
      'x.4.x, and 4.7.x, which servers use alike for greylisting, throttling and blocks) fall through.',
    rules: [
      {
        id: 'enhanced-no-such-mailbox',
        phases: RCPT,
        match: { codes: ['5xx'], enhanced: ['5.1.1', '5.1.3', '5.1.6', '5.1.10'] },
        reason: 'mailbox_not_found',
        // 5.1.1 bad mailbox, 5.1.3 bad address syntax, 5.1.6 mailbox moved with no forwarding,
        // 5.1.10 recipient has a null MX (RFC 7505). All permanent statements about the address.
        why: 'The enhanced status code (5.1.1/5.1.3/5.1.6/5.1.10) says the destination mailbox does not exist.',
      },
      {
        id: 'enhanced-mailbox-disabled',
        phases: RCPT,
        match: { codes: ['5xx'], enhanced: ['5.2.1'] },
        reason: 'mailbox_disabled',
        // Permanent only: Gmail sends 4.2.1 for "receiving mail too quickly", a temporary state.
        why: 'The enhanced status code 5.2.1 says the mailbox is disabled and not accepting messages.',
      },
      {
        id: 'enhanced-mailbox-full',
        phases: RCPT,
        match: { codes: ['4xx', '5xx'], enhanced: ['x.2.2'] },
        reason: 'mailbox_full',
        // 4.2.2 and 5.2.2 both mean over quota: the mailbox exists, which is what matters here.
        why: 'The enhanced status code x.2.2 says the mailbox exists but is over quota.',
      },
      {
        id: 'enhanced-sender-refused',
        phases: ANY,
        match: { codes: ['5xx'], enhanced: ['5.1.7', '5.1.8'] },
        reason: 'blocked',
        // These speak of the *sender* address (bad syntax / domain not found), often deferred by
        // Postfix to RCPT time. Our envelope was refused; the recipient was never judged.
        why: 'The enhanced status code (5.1.7/5.1.8) refuses our sender address, not the recipient.',
      },
      {
        id: 'enhanced-policy',
        phases: ANY,
        match: { codes: ['5xx'], enhanced: ['5.7.*'] },
        reason: 'blocked',
        // x.7.x is the security/policy class. Even when a server (Yandex) puts "No such user"
        // behind 5.7.1, a policy code cannot be read as proof that the mailbox is missing.
        why: 'The enhanced status code 5.7.x is a security or policy refusal; it says nothing about the mailbox.',
      },
      {
        id: 'enhanced-too-many-recipients',
        phases: ANY,
        match: { codes: ['4xx'], enhanced: ['4.5.3'] },
        reason: 'rate_limited',
        why: 'The enhanced status code 4.5.3 says too many recipients in this transaction; ask again later.',
      },
    ],
  },
  {
    id: 'delay-text',
    precedence:
      'Words that say exactly why a reply is a delay (greylisting, a rate limit) outrank generic ' +
      'block words: "too many connections from your IP" is throttling, not a ban.',
    rules: [
      {
        id: 'greylisting-text',
        phases: ANY,
        match: { codes: ['4xx'], text: GREYLISTING },
        reason: 'greylisted',
        // Greylisting refuses the first attempt from an unknown sender on purpose; a retry after
        // the stated delay usually succeeds.
        why: 'The server greylisted us: it refuses a first attempt on purpose and accepts a retry after a delay.',
      },
      {
        id: 'rate-limit-text',
        phases: ANY,
        match: { codes: ['4xx', '5xx'], text: RATE_LIMIT },
        reason: 'rate_limited',
        // Applies to 5xx as well: QQ and others send "550 … frequency limited" for throttling.
        why: 'The server says we sent too much or too fast (connections, recipients, rate); try again later.',
      },
    ],
  },
  {
    id: 'block-text',
    precedence:
      'Words that name a block, reputation or policy outrank mailbox-ish basic codes, because many ' +
      'servers send 550/553/554 for every kind of refusal. They come after the enhanced stage, so a ' +
      'precise 5.1.1 is not undone by an incidental word.',
    rules: [
      {
        id: 'reputation-text',
        phases: ANY,
        match: { codes: ['4xx', '5xx'], text: REPUTATION },
        reason: 'blocked',
        why: 'The server refused us over our sending reputation or a spam judgement; this says nothing about the mailbox.',
      },
      {
        id: 'client-refused-text',
        phases: ANY,
        match: { codes: ['4xx', '5xx'], text: CLIENT_REFUSED },
        reason: 'blocked',
        // Postfix's "Client host rejected", "Helo command rejected", "Sender address rejected",
        // Exim's "Sender verify failed", reverse-DNS and dynamic-IP checks: all about us.
        why: 'The server refused this client (its IP, reverse DNS, HELO name or sender address), not the mailbox.',
      },
      {
        id: 'policy-text',
        phases: ANY,
        match: { codes: ['4xx', '5xx'], text: POLICY_REFUSAL },
        reason: 'blocked',
        // Includes "Relay access denied": the MX does not take mail for this domain from us,
        // which tells nothing about the mailbox.
        why: 'The server refused on policy grounds (access denied, relaying, ban); this says nothing about the mailbox.',
      },
    ],
  },
  {
    id: 'basic-code',
    precedence:
      'Basic codes that mean something by themselves, once nothing more specific was said. 550/551/553/554 ' +
      'are not here: servers use them for everything, so they need words (stages below).',
    rules: [
      {
        id: 'service-closing-421',
        phases: ANY,
        match: { codes: [421] },
        reason: 'rate_limited',
        // 421 closes the channel: the server sheds load or us for now; only waiting helps.
        why: 'The server closed the connection with 421 (service not available now); try again later.',
      },
      {
        id: 'storage-552',
        phases: RCPT,
        match: { codes: [552], exceptEnhanced: ['5.3.4'] },
        reason: 'mailbox_full',
        // RFC 5321: 552 "exceeded storage allocation". 5.3.4 (message too big) cannot concern a
        // RCPT without a message and is left to the fallbacks.
        why: 'The server answered RCPT TO with 552 (storage allocation exceeded): the mailbox exists but is full.',
      },
      {
        id: 'command-not-understood',
        phases: ANY,
        match: { codes: [500, 501, 502, 503, 504] },
        reason: 'protocol_error',
        // Syntax / sequence / not-implemented errors. Policy refusals sent with these codes
        // (Postfix's "504 … Helo command rejected") were caught by the text stages above.
        why: 'The server did not understand or did not accept the command itself (500–504).',
      },
    ],
  },
  {
    id: 'mailbox-state-text',
    precedence:
      'Words that describe the state of an existing mailbox (disabled, full) are more specific than ' +
      'the generic "unavailable/unknown" wording, which often rides along in the same reply.',
    rules: [
      {
        id: 'mailbox-disabled-text',
        phases: RCPT,
        match: { codes: ['5xx'], text: MAILBOX_DISABLED },
        reason: 'mailbox_disabled',
        why: 'The server says the mailbox is disabled, suspended or inactive.',
      },
      {
        id: 'mailbox-full-text',
        phases: RCPT,
        match: { codes: ['4xx', '5xx'], text: MAILBOX_FULL },
        reason: 'mailbox_full',
        why: 'The server says the mailbox is full or over quota.',
      },
    ],
  },
  {
    id: 'mailbox-text',
    precedence: 'A permanent refusal whose words deny the mailbox, once no block or policy words were found.',
    rules: [
      {
        id: 'no-such-mailbox-text',
        phases: RCPT,
        match: { codes: ['5xx'], text: NO_SUCH_MAILBOX },
        reason: 'mailbox_not_found',
        // "User unknown", "No Such User Here", "Unrouteable address" (Exim: no router for the
        // local part), Yahoo's "doesn't have a yahoo.com account", IronPort's "#5.1.0 Address
        // rejected". "address rejected" is safe here only because sender/greylisting/access
        // variants were decided by earlier stages.
        why: 'The server refused the recipient with words that say the mailbox does not exist.',
      },
    ],
  },
  {
    id: 'mailbox-mention',
    precedence: 'Weakest mailbox evidence, so it comes last before the fallbacks.',
    rules: [
      {
        id: 'refusal-names-recipient',
        phases: RCPT,
        match: { codes: [550, 551, 553], text: NAMES_MAILBOX },
        reason: 'mailbox_not_found',
        // A mailbox-class code whose text at least speaks of the recipient ("550 5.0.0 Recipient
        // rejected") and names no other cause.
        why: 'The server refused the recipient with a mailbox error code and words about the recipient.',
      },
    ],
  },
  {
    id: 'fallback',
    precedence: 'Whatever is left, judged by code class and phase alone.',
    rules: [
      {
        id: 'temporary-failure',
        phases: ANY,
        match: { codes: ['4xx'] },
        reason: 'greylisted',
        // 450/451/452 and any 4.7.x not explained above: a temporary refusal ("try again later",
        // "temporarily deferred", "server busy"). A bare 452 at the first RCPT cannot be "too
        // many recipients", so it is the server's storage: temporary too, worth a retry.
        why: 'A temporary refusal (4xx): the server asked us to try again later.',
      },
      {
        id: 'refused-before-rcpt',
        phases: BEFORE_RCPT,
        match: { codes: ['5xx'] },
        reason: 'blocked',
        // A banner, HELO/EHLO, STARTTLS or MAIL FROM refusal comes before any recipient was
        // named, so it cannot be a verdict on the mailbox.
        why: 'The server refused us before we named the recipient; this says nothing about the mailbox.',
      },
      {
        id: 'rcpt-refused-unexplained',
        phases: RCPT,
        match: { codes: ['5xx'] },
        reason: 'blocked',
        // "550 Rejected", "554 5.0.0": permanent, but with no word about the mailbox. Calling the
        // address undeliverable would need evidence we do not have; many servers use a bare
        // 550/554 for policy. So: unknown (blocked), never undeliverable.
        why: 'The server refused the recipient without saying why; without evidence about the mailbox this stays unknown.',
      },
    ],
  },
];

/** Every row, in table order, with its stage. */
export const RULES: readonly Rule[] = STAGES.flatMap((stage) =>
  stage.rules.map((rule) => ({ ...rule, stage: stage.id })),
);

/** Explanations for rule ids that are decided outside this table (by probe-domain.ts). */
const OTHER_RULES: Readonly<Record<string, string>> = {
  'policy-refusal':
    'The server refused a random address with the same words: a policy refusal, not an answer about this mailbox.',
};

/** The plain-language reason a rule matched, for the CLI; undefined for an unknown id. */
export function describeRule(id: string): string | undefined {
  return RULES.find((rule) => rule.id === id)?.why ?? OTHER_RULES[id];
}

/** All rows that match, in table order (the first one decides). For tests and --verbose. */
export function matchingRules(phase: SmtpPhase, reply: SmtpReply): Rule[] {
  const text = normalizeText(reply.message);
  return RULES.filter((rule) => rule.phases.includes(phase) && matches(rule.match, reply, text));
}

export function classifyReply(phase: SmtpPhase, reply: SmtpReply): Classification {
  const text = normalizeText(reply.message);
  const rule = RULES.find((r) => r.phases.includes(phase) && matches(r.match, reply, text));
  // The fallback stage covers every code 200–599 in every phase and 'invalid' covers the
  // rest, so this only guards against a future edit of the table (tested).
  if (!rule) return { reason: 'protocol_error', rule: 'no-matching-rule' };
  const result: Classification = { reason: rule.reason, rule: rule.id };
  if (rule.reason === 'greylisted' || rule.reason === 'rate_limited') {
    const delay = retryDelayMs(text);
    if (delay !== undefined) result.retryAfterMs = delay;
  }
  return result;
}

/**
 * true when the reply speaks of the mailbox or recipient (x.1.x / x.2.x enhanced codes other
 * than the sender ones, or mailbox words). The catch-all logic uses it: when the real address
 * and a random one are refused with the same words and those words are NOT mailbox-specific,
 * the refusal is policy.
 */
export function isMailboxSpecific(reply: SmtpReply): boolean {
  const enhanced = reply.enhanced;
  if (enhanced && !enhancedIs(enhanced, ['x.1.7', 'x.1.8']) && enhancedIs(enhanced, ['x.1.*', 'x.2.*'])) return true;
  const text = normalizeText(reply.message);
  return (
    MS_DIRECTORY_REJECT.test(text) ||
    NO_SUCH_MAILBOX.test(text) ||
    MAILBOX_DISABLED.test(text) ||
    MAILBOX_FULL.test(text) ||
    NAMES_MAILBOX.test(text)
  );
}

// ---------------------------------------------------------------------------------------
// Matching.
// ---------------------------------------------------------------------------------------

function matches(m: ReplyMatcher, reply: SmtpReply, text: string): boolean {
  if (m.codes && !m.codes.some((spec) => codeIs(reply.code, spec))) return false;
  if (m.enhanced && !(reply.enhanced && enhancedIs(reply.enhanced, m.enhanced))) return false;
  if (m.exceptEnhanced && reply.enhanced && enhancedIs(reply.enhanced, m.exceptEnhanced)) return false;
  if (m.text && !m.text.test(text)) return false;
  return true;
}

function codeIs(code: number, spec: CodeSpec): boolean {
  const valid = Number.isInteger(code) && code >= 200 && code <= 599;
  if (spec === 'invalid') return !valid;
  if (typeof spec === 'number') return code === spec;
  return valid && Math.floor(code / 100) === Number(spec[0]);
}

/** "x" matches any class, "*" any remaining part: "x.2.2", "5.7.*". */
function enhancedIs(enhanced: string, patterns: readonly string[]): boolean {
  const parts = enhanced.split('.');
  return patterns.some((pattern) => {
    const want = pattern.split('.');
    for (let i = 0; i < want.length; i++) {
      const w = want[i]!;
      if (w === '*') return true;
      if (w !== 'x' && w !== parts[i]) return false;
    }
    return want.length === parts.length;
  });
}

function normalizeText(message: string): string {
  return message.replace(/[\u2018\u2019]/g, "'").replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------
// Retry delay stated in the text.
// ---------------------------------------------------------------------------------------

/** Postgrey's default delay (--delay=300); its reply links a help page instead of a number. */
const POSTGREY_DEFAULT_MS = 300_000;
const MAX_RETRY_MS = 24 * 3600_000;

const UNIT_MS: ReadonlyArray<[RegExp, number]> = [
  [/^h/, 3600_000],
  [/^m/, 60_000],
  [/^s/, 1000],
];

/** "try again in 5 minutes", "retry in 300 seconds", "wait 60 s", "for 120 seconds", "in 00:05:00". */
export function retryDelayMs(text: string): number | undefined {
  let ms: number | undefined;
  const clock = /\b(?:in|after|wait)\s+(\d{1,2}):([0-5]\d):([0-5]\d)\b/i.exec(text);
  const amount =
    /\b(?:in|after|for|wait|wait for)\s+(\d{1,6})\s*(hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b/i.exec(text);
  if (clock) {
    ms = (Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3])) * 1000;
  } else if (amount) {
    const unit = amount[2]!.toLowerCase();
    const factor = UNIT_MS.find(([re]) => re.test(unit))?.[1] ?? 1000;
    ms = Number(amount[1]) * factor;
  } else if (/postgrey/i.test(text)) {
    ms = POSTGREY_DEFAULT_MS;
  }
  return ms !== undefined && ms > 0 && ms <= MAX_RETRY_MS ? ms : undefined;
}
