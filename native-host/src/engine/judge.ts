import type { Flags, SmtpPhase, SmtpReply } from '../../shared/result.js';
import { verdictOf, type Reason, type Verdict } from '../../shared/verdicts.js';

// The one place where an address's reason is decided. Every stage of the pipeline hands its
// evidence here (a syntax problem, a DNS answer, a session failure, an SMTP reply, the flags)
// and gets back a Judgement: the verdict, the reason and the id of the rule that decided, so
// that every result can say why it is what it is (`rule` in results, --verbose in the CLI).
//
// Replies are judged by their words first and their codes second
// -------------------------------------------------------------------
// Real servers often send an enhanced code that contradicts their own text: a 5.1.x "bad
// mailbox" code on a complaint about our sending rate, a 5.7.x "policy" code on "no such
// user", a 5.1.1 on "mailbox full", a 4.2.x on a greylisting reply. The words are what a human
// wrote for this situation; the code is often a default. So, in this order:
//  1. words that name the sender or the connection (a blocklist, greylisting, a rate, spam,
//     reputation, policy, relaying, "try again later") make the reply unknown (greylisted,
//     rate_limited or blocked) whatever the codes say: a refusal of us is never a verdict on
//     the mailbox;
//  2. words that name the state of the mailbox (full, disabled, no such user) decide between
//     mailbox_full, mailbox_disabled and mailbox_not_found, even against the codes;
//  3. only when the words say nothing either way do the codes decide.
//
// How to read the table
// ---------------------
// The table is a list of STAGES, tried top to bottom; the first stage with a matching row
// decides. Rows inside one stage agree: when two rows of one stage match the same reply they
// give the same reason (the corpus test checks this), so the order of rows inside a stage never
// changes the meaning, only which rule id is reported. All precedence lives in the order of the
// stages, and each stage says why it sits where it is.
//
// Two invariants hold by construction (and are tested over the table itself):
//  - only RCPT replies can say anything about the mailbox: every row whose reason is
//    mailbox_not_found / mailbox_disabled / mailbox_full / mailbox_exists is RCPT-only;
//  - only a permanent (5xx) reply can make an address undeliverable: a 4xx never does.

export interface Judgement {
  verdict: Verdict;
  reason: Reason;
  /** Id of the rule that decided: a table row or one of the DECISIONS below. */
  rule: string;
  /** For greylisted / rate_limited: the delay the server asked for, when its text states one. */
  retryAfterMs?: number;
}

/** Which replies a row matches; every given field must hold (AND). */
interface ReplyMatcher {
  /** Basic codes: exact numbers, a class ("4xx"), or "invalid" (not 200–599). */
  codes?: readonly CodeSpec[];
  /** Basic codes that exclude the row even when everything else matches. */
  exceptCodes?: readonly number[];
  /** Enhanced codes: "5.1.1", "x.2.2" (any class), "5.7.*" (any detail). */
  enhanced?: readonly string[];
  /** Enhanced codes that exclude the row even when everything else matches. */
  exceptEnhanced?: readonly string[];
  /** Reply text (all lines, whitespace collapsed); case-insensitive. */
  text?: RegExp;
}

type CodeSpec = number | '2xx' | '3xx' | '4xx' | '5xx' | 'invalid';

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

const ANY: readonly SmtpPhase[] = ['connect', 'banner', 'ehlo', 'helo', 'starttls', 'mail', 'rcpt'];
const RCPT: readonly SmtpPhase[] = ['rcpt'];
const BEFORE_RCPT: readonly SmtpPhase[] = ['connect', 'banner', 'ehlo', 'helo', 'starttls', 'mail'];

// ---------------------------------------------------------------------------------------
// Vocabulary. Each pattern is one family of phrases; rows below combine them with codes.
// ---------------------------------------------------------------------------------------

/** A named DNS blocklist or the Postfix reject_rbl_client wording. Never about a mailbox. */
const NAMED_BLOCKLIST =
  /spamhaus|spamcop|\bsorbs\b|uceprotect|barracudacentral|\bbrbl\b|\b(?:dns)?rbl\b|\bdnsbl\b|\bsurbl\b|\buribl\b|cloudmark|senderscore|\b(?:block|black|deny) ?list(?:ed)?\b|(?<!not )\blisted (?:at|on|in|by)\b|\bblocked using\b/i;

/** Greylisting says so by name (and Postgrey links its help page). */
const GREYLISTING = /\bgr[ae]y-?list|postgrey/i;

/** The server limits how fast or how much we (or anyone) may send: connections, messages, recipients. */
const RATE_LIMIT = new RegExp(
  [
    'rate[ -]?limit',
    'at a rate that',
    'receiving mail (?:at a rate|too (?:quickly|fast))',
    '\\bfrequency\\b[^.]{0,40}\\blimit',
    // "too many messages on the server" is a full mailbox, not a rate (see MAILBOX_FULL).
    'too many (?:\\w+ ){0,2}(?:connections|sessions|messages|recipients|rcpts?|mails?|emails?|requests|errors|commands|attempts|hosts)\\b(?! (?:on|in) (?:the |this |your )?(?:server|mailbox|inbox))',
    'too much (?:e-?)?mail',
    'too (?:fast|quickly)',
    'slow down',
    '(?:connection|session|sending|send|daily|hourly|recipient|message|thread|submission|relay) limit',
    'exceeded (?:the |its |their |your )?limit for',
    'maximum number of (?:\\w+ ){0,3}connections',
    'max(?:imum)? (?:number of )?(?:messages?|recipients?|connections?) per (?:connection|session|hour|day)',
    '(?:sending|submission|queue) quota',
    'excessive (?:volume|traffic)',
    'unexpected volume',
    'threshold exceeded',
    // Gmail's "452 4.5.3 Domain policy size per transaction exceeded, please try this recipient in a
    // separate transaction": a limit per transaction, not a policy against us.
    'per transaction exceeded',
  ].join('|'),
  'i',
);

/** Sender reputation or a spam / abuse judgement about us or our message. */
const REPUTATION =
  /reputation|\bspam(?:ming|my)?\b|unsolicited|unusual (?:sending )?activity|phishing|\bvirus\b|complaints/i;

/** The server refuses this client: its IP, its reverse DNS, its HELO name, its sender or its authentication. */
const CLIENT_REFUSED = new RegExp(
  [
    'client host rejected',
    'helo command rejected',
    '\\b(?:helo|ehlo)\\b[^.]{0,30}\\b(?:rejected|invalid|not allowed)',
    'bad helo',
    'sender address rejected',
    'sender (?:ip )?rejected',
    'sender verif(?:y|ication) failed',
    'verification failed for',
    'sender (?:domain|address) (?:does not exist|not found|unknown|invalid)',
    'invalid sender',
    'unknown sender',
    '\\bsender\\b[^.]{0,30}\\bnot (?:allowed|permitted|authori[sz]ed)',
    '\\b(?:sender|sending|your|this|client|connecting|source) ip\\b',
    'reverse (?:dns|hostname|lookup)',
    '\\brdns\\b',
    '\\bptr\\b',
    'dynamic (?:ip|address|pool|range)',
    'residential',
    'dial-?up',
    '\\b(?:spf|dkim|dmarc)\\b',
    'unauthenticated',
    'not authenticated',
    'authentication required',
  ].join('|'),
  'i',
);

/** Generic refusal on policy grounds: a relay refusal, an access rule, a ban, a block of us. */
const POLICY_REFUSAL = new RegExp(
  [
    '\\bpolic(?:y|ies)\\b',
    // Microsoft's "Recipient address rejected: Access denied" is read by the named-cases stage.
    '(?<!recipient address rejected: ?)access denied',
    'relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited|disallowed|not allowed)',
    'unable to relay',
    'do not relay',
    'as a relay',
    'open relay',
    'rcpthosts',
    'administrative prohibition',
    'prohibited',
    '\\bbanned\\b',
    // "This mailbox has been blocked due to inactivity" is the mailbox's state, not a block of us.
    '(?<!(?:mailbox|account|user|recipient) (?:has been |is |was )?)\\bblocked\\b',
    'not (?:allowed|permitted|authori[sz]ed) to (?:send|relay|connect)',
    'connection (?:refused|denied|rejected)',
    'not accepting (?:e-?mail|mail|messages|connections) from',
    '\\b(?:white|allow) ?list',
  ].join('|'),
  'i',
);

/** The server wants TLS before anything else. */
const TLS_REQUIRED =
  /starttls|\btls\b[^.]*\brequired|requires? (?:encryption|tls)|encryption required|requires? (?:a )?(?:secure|encrypted) connection/i;

/** The server asks us to come back later, without naming a mailbox state. */
const TRY_LATER =
  /try (?:again )?later|retry later|come back later|please try again\b|resend (?:your message )?at a later time|temporar(?:il)?y (?:deferred|rejected|unavailable|not available)/i;

/** Microsoft's directory-based edge blocking: the tenant has no such recipient. */
const MS_DIRECTORY_REJECT = /recipient address rejected: ?access denied/i;

/** The mailbox exists but is over its quota. (Not "insufficient system storage": that is the server's disk.) */
const MAILBOX_FULL = new RegExp(
  [
    'over ?(?:\\w+ )?quota',
    'quota (?:exceeded|full|violation)',
    'user quota',
    'exceed(?:s|ed)? (?:its |the |their |his |her )?(?:mailbox |storage |disk )?quota',
    '(?:mailbox|inbox) (?:is )?full',
    'full mailbox',
    'mailbox (?:for user )?is full',
    'mailbox size limit',
    'exceeded storage allocation',
    'storage allocation exceeded',
    'out of storage',
    'storage (?:space|limit)',
    'exhausted (?:allowed )?storage',
    'too many messages (?:on|in) (?:the |this )?(?:server|mailbox)',
    '\\bpleine\\b',
  ].join('|'),
  'i',
);

/** The mailbox exists but is switched off: disabled, suspended, inactive, frozen, closed. */
const MAILBOX_DISABLED = new RegExp(
  [
    '(?:account|mailbox|user|address|recipient)(?: has been| is| was| currently)? (?:disabled|deactivated|suspended|inactive|closed|terminated|frozen|locked|discontinued)\\b',
    '\\b(?:disabled|suspended|deactivated|frozen) (?:user|account|mailbox|recipient)\\b',
    '\\bdeactivated mailbox',
    'blocked due to inactivity',
    'no longer (?:active|in use|valid|available)',
    '\\[suspend\\]',
    '\\binactive\\b',
    '\\bfrozen\\b',
  ].join('|'),
  'i',
);

/** The server says in so many words that there is no such mailbox. */
const NO_SUCH_MAILBOX = new RegExp(
  [
    'user unknown',
    'unknown (?:user|recipient|mailbox|address|local[- ]?part)',
    'addressee unknown',
    'no such (?:user|mailbox|recipient|account|address|person)',
    "(?:user|mailbox|recipient|account|address|addressee|rcpt)\\b[^.;:,]{0,40}?\\b(?:is |was )?(?:unknown|not found|not listed|not local|does ?n[o']?t exists?|is not exist|not exist)",
    'does not exist',
    "doesn'?t exist",
    'does no exists?',
    'mail-?box not found',
    'not (?:a |an )?(?:known|valid|active) (?:user|mailbox|recipient|e-?mail address|address)',
    'invalid[- _](?:recipient|mailbox|user|address)',
    'bad[- _](?:recipient|destination mailbox)',
    'no (?:mail ?box|mail-box)\\b',
    'unroute?able address',
    'unknown or illegal alias',
    "doesn'?t have an? [\\w.-]+ account",
    'not our customer',
    'no longer on (?:this )?server',
    '(?:address|recipient|mailbox) is (?:marked as )?invalid',
    'not in (?:the )?recipient list',
    'mailbox unallocated',
    '#5\\.1\\.1\\b',
  ].join('|'),
  'i',
);

/** Weak mailbox wording: generic enough that a contradicting enhanced code outranks it. */
const MAILBOX_VAGUE =
  /mail ?box (?:unavailable|not available)|(?:recipient|address) rejected|recipient (?:unavailable|rejected)|unavailable mail user/i;

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
    precedence:
      'A reply that is not a refusal, or not SMTP at all, must not reach any rule that reads meaning into codes.',
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
      'A reply that names a DNS blocklist is about our IP address, whatever code or other words came ' +
      'with it: servers often send 550 (or even 5.1.1) for a blocklist hit, so this outranks everything.',
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
    id: 'greylisting-text',
    precedence:
      'Greylisting names itself, and a greylisted first attempt is the most specific temporary state: ' +
      'it outranks every code (servers send it with 4.2.x, 4.7.x, even 5xx) and the block words.',
    rules: [
      {
        id: 'greylisting-text',
        phases: ANY,
        match: { codes: ['4xx', '5xx'], text: GREYLISTING },
        reason: 'greylisted',
        // Greylisting refuses the first attempt from an unknown sender on purpose; a retry after
        // the stated delay usually succeeds.
        why: 'The server greylisted us: it refuses a first attempt on purpose and accepts a retry after a delay.',
      },
    ],
  },
  {
    id: 'rate-text',
    precedence:
      'Words about how much or how fast mail arrives are about the sender or the connection, whatever ' +
      'the codes say (Gmail sends 5.2.1, Microsoft 5.1.90 and 5.2.2, Comcast 4.1.1 with them). They ' +
      'outrank generic block words: "too many connections from your IP" is throttling, not a ban.',
    rules: [
      {
        id: 'rate-limit-text',
        phases: ANY,
        match: { codes: ['4xx', '5xx'], text: RATE_LIMIT },
        reason: 'rate_limited',
        // Applies to 5xx as well: QQ and others send "550 … frequency limited" for throttling.
        why: 'The server says it limits how much or how fast mail comes in (connections, recipients, rate); try again later.',
      },
    ],
  },
  {
    id: 'block-text',
    precedence:
      'Words that name a block of us (reputation, spam, our IP, our HELO, our sender, relaying, policy, ' +
      'TLS) make the reply a refusal of us, whatever the codes say: many servers send 550 5.1.1 or ' +
      '553 for every kind of refusal, and a refusal of us is never a verdict on the mailbox.',
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
        // Exim's "Sender verify failed", reverse-DNS, dynamic-IP and SPF/DKIM/DMARC checks: all about us.
        why: 'The server refused this client (its IP, reverse DNS, HELO name, sender address or authentication), not the mailbox.',
      },
      {
        id: 'policy-text',
        phases: ANY,
        match: { codes: ['4xx', '5xx'], text: POLICY_REFUSAL },
        reason: 'blocked',
        // Includes "Relay access denied": the MX does not take mail for this domain from us,
        // which tells nothing about the mailbox.
        why: 'The server refused on policy grounds (access denied, relaying, a block or ban); this says nothing about the mailbox.',
      },
      {
        id: 'starttls-required',
        phases: ANY,
        match: { codes: ['4xx', '5xx'], text: TLS_REQUIRED },
        reason: 'blocked',
        // "530 5.7.0 Must issue a STARTTLS command first": the server will talk only over TLS
        // (or TLS failed and we fell back to plain text). A session matter, not a mailbox one.
        why: 'The server requires STARTTLS before it will answer; nothing was learned about the mailbox.',
      },
    ],
  },
  {
    id: 'named-cases',
    precedence:
      'Microsoft\'s directory refusal reads like a policy refusal ("Access denied") but is an answer ' +
      'about the recipient. The block words skip exactly this wording; it is read right after them, so ' +
      'a blocklist or reputation complaint in the same reply still wins.',
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
    ],
  },
  {
    id: 'mailbox-full-text',
    precedence:
      'Words that say the mailbox is full decide against any code (Orange and Comcast send 5.1.1 with ' +
      '"over quota"). They come before the disabled words because a full mailbox is also often ' +
      'called inactive ("out of storage space and inactive"), and full is the weaker claim.',
    rules: [
      {
        id: 'mailbox-full-text',
        phases: RCPT,
        match: { codes: ['4xx', '5xx'], text: MAILBOX_FULL },
        reason: 'mailbox_full',
        why: 'The server says the mailbox is full or over quota: it exists.',
      },
    ],
  },
  {
    id: 'mailbox-disabled-text',
    precedence:
      'Words that say the mailbox is disabled, suspended or inactive decide against any code, and ' +
      'outrank the "unknown / does not exist" wording that often rides along in the same reply.',
    rules: [
      {
        id: 'mailbox-disabled-text',
        phases: RCPT,
        match: { codes: ['5xx'], text: MAILBOX_DISABLED },
        reason: 'mailbox_disabled',
        why: 'The server says the mailbox is disabled, suspended or inactive.',
      },
    ],
  },
  {
    id: 'retry-text',
    precedence:
      'A "try again later" that names neither us nor a mailbox state is a temporary refusal, whatever ' +
      'the code: a retry-able refusal is no proof that a mailbox is missing. 421 keeps its own rule.',
    rules: [
      {
        id: 'try-later-text',
        phases: ANY,
        match: { codes: ['4xx', '5xx'], exceptCodes: [421], text: TRY_LATER },
        reason: 'greylisted',
        why: 'The server asked us to try again later; nothing was learned about the mailbox yet.',
      },
    ],
  },
  {
    id: 'mailbox-text',
    precedence:
      'Words that plainly deny the mailbox ("no such user", "does not exist") decide against the codes ' +
      '(Yandex sends "550 5.7.1 No such user!"), once no word named us or a retry.',
    rules: [
      {
        id: 'no-such-mailbox-text',
        phases: RCPT,
        match: { codes: ['5xx'], text: NO_SUCH_MAILBOX },
        reason: 'mailbox_not_found',
        // "User unknown", "No Such User Here", "Unrouteable address" (Exim: no router for the
        // local part), Yahoo's "doesn't have a yahoo.com account", qmail's "(#5.1.1)".
        why: 'The server refused the recipient with words that say the mailbox does not exist.',
      },
    ],
  },
  {
    id: 'enhanced-code',
    precedence:
      'The words said nothing either way: now the RFC 3463 codes decide, as the most precise machine-' +
      'readable signal. Only codes that decide on their own are here; generic ones (x.0.0, x.5.0, ' +
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
        // x.7.x is the security/policy class. Words that deny the mailbox were read above; a bare
        // policy code cannot be read as proof that the mailbox is missing.
        why: 'The enhanced status code 5.7.x is a security or policy refusal, and the words say nothing about the mailbox.',
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
    id: 'mailbox-vague-text',
    precedence:
      'Generic mailbox wording ("mailbox unavailable", "recipient rejected") is weaker than a ' +
      'contradicting enhanced code, but stronger than a basic code alone ("552 mailbox unavailable").',
    rules: [
      {
        id: 'vague-mailbox-text',
        phases: RCPT,
        match: { codes: ['5xx'], text: MAILBOX_VAGUE },
        reason: 'mailbox_not_found',
        // RFC 5321's own 550 text, Outlook's "5.5.0 … mailbox unavailable", IronPort's
        // "#5.1.0 Address rejected". A 5.7.x or 5.1.8 code was read above and wins.
        why: 'The server refused the recipient with words about the mailbox ("mailbox unavailable", "recipient rejected").',
      },
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
    id: 'basic-code',
    precedence:
      'Basic codes that mean something by themselves, once the words and the enhanced code said ' +
      'nothing. 550/551/553/554 are not here: servers use them for everything.',
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
        // (Postfix's "504 … Helo command rejected") were caught by the word stages above.
        why: 'The server did not understand or did not accept the command itself (500–504).',
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
        // 450/451/452 and any 4.7.x not explained above: a temporary refusal ("temporarily
        // deferred", "server busy"). A bare 452 at the first RCPT cannot be "too many
        // recipients", so it is the server's storage: temporary too, worth a retry.
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

// ---------------------------------------------------------------------------------------
// Decisions that are not a reply: each stage of the pipeline that ends a check names one.
// ---------------------------------------------------------------------------------------

export const DECISIONS = {
  'syntax-invalid': {
    reason: 'invalid_syntax',
    why: 'The address does not follow the RFC 5321 mailbox grammar (or holds characters MX Lens refuses).',
  },
  'level-syntax': { reason: 'syntax_only', why: 'Only the syntax was checked (--level syntax).' },
  'level-dns': { reason: 'dns_only', why: 'The domain takes mail; the mailbox was not asked (--level dns).' },
  'dns-nxdomain': { reason: 'no_such_domain', why: 'DNS answered NXDOMAIN: the domain does not exist.' },
  'dns-null-mx': { reason: 'null_mx', why: 'The domain publishes a null MX (RFC 7505): it takes no mail.' },
  'dns-no-mail-server': {
    reason: 'no_mail_server',
    why: 'The domain has neither an MX record nor an A/AAAA record to fall back on.',
  },
  'dns-failure': {
    reason: 'dns_error',
    why: 'DNS failed (SERVFAIL or timeout): nothing was learned about the domain.',
  },
  'target-private': {
    reason: 'private_target',
    why: 'The mail server is on a loopback, private or reserved address, refused without --allow-private.',
  },
  'session-connect-failed': {
    reason: 'connection_failed',
    why: 'No TCP connection to any mail server of the domain (port 25 is often blocked).',
  },
  'connect-timeouts-across-servers': {
    reason: 'port_blocked',
    why: 'The connection timed out, as did connections to other mail servers of other domains, and none got through: the network drops outbound SMTP, not this server.',
  },
  'network-port-blocked': {
    reason: 'port_blocked',
    why: 'Connections to several mail servers had just timed out from this network, so MX Lens did not wait for another one (it tests again a minute later).',
  },
  'session-tls-failed': {
    reason: 'connection_failed',
    why: 'STARTTLS with the mail server failed, and no other server answered.',
  },
  'session-timeout': { reason: 'timeout', why: 'The mail server did not answer within the time allowed.' },
  'session-cancelled': { reason: 'timeout', why: 'The check was cancelled before a mail server answered.' },
  'session-protocol': {
    reason: 'protocol_error',
    why: 'The mail server broke the SMTP protocol, so its replies could not be trusted.',
  },
  'over-budget': {
    reason: 'rate_limited',
    why: "MX Lens's own budget for this mail server, domain or requesting site is spent: not checked, no connection made.",
  },
  'replies-unmatched': {
    reason: 'protocol_error',
    why: "The server's replies could not be matched to our commands (an extra or early reply, a second greeting), so none was taken as this address's answer.",
  },
  'internal-error': {
    reason: 'protocol_error',
    why: 'MX Lens itself failed during this check; nothing was concluded about the address.',
  },
  'smtputf8-not-offered': {
    reason: 'smtputf8_unsupported',
    why: 'The address has a non-ASCII local part and the server does not offer SMTPUTF8.',
  },
  'same-refusal-as-random-address': {
    reason: 'blocked',
    why: 'The server refused a random address with the same words: a policy refusal, not an answer about this mailbox.',
  },
  'catch-all-domain': {
    reason: 'catch_all',
    why: 'The server also accepted a random address at the domain, so acceptance proves nothing.',
  },
  'disposable-domain': {
    reason: 'disposable',
    why: 'The server accepted the mailbox, but the domain is a disposable (throwaway) mail service.',
  },
} as const satisfies Record<string, { reason: Reason; why: string }>;

export type DecisionId = keyof typeof DECISIONS;

/** The judgement for a decision that is not a reply. */
export function decide(id: DecisionId): Judgement {
  const reason: Reason = DECISIONS[id].reason;
  return { verdict: verdictOf(reason), reason, rule: id };
}

/** The plain-language reason a rule decided, for the CLI; undefined for an unknown id. */
export function describeRule(id: string): string | undefined {
  if (Object.hasOwn(DECISIONS, id)) return DECISIONS[id as DecisionId].why;
  return RULES.find((rule) => rule.id === id)?.why;
}

// ---------------------------------------------------------------------------------------
// Judging replies.
// ---------------------------------------------------------------------------------------

/** All rows that match, in table order (the first one decides). For tests and explanations. */
export function matchingRules(phase: SmtpPhase, reply: SmtpReply): Rule[] {
  const text = normalizeText(reply.message);
  return rulesFor(phase, reply.code).filter((rule) => matches(rule.match, reply, text));
}

// A server answers most recipients with the same words ("Ok", "User unknown"; the address it
// quotes is not part of them, see normalizeText): each distinct reply goes through the table
// once. Bounded: past this many distinct replies the memory starts over.
const MAX_REMEMBERED_REPLIES = 1_000;
const judgedReplies = new Map<string, Readonly<Judgement>>();

/** One SMTP reply, and the phase it answered, judged through the table. */
export function judgeReply(phase: SmtpPhase, reply: SmtpReply): Judgement {
  const text = normalizeText(reply.message);
  const key = `${phase} ${reply.code} ${reply.enhanced ?? ''} ${text}`;
  let judgement = judgedReplies.get(key);
  if (!judgement) {
    judgement = Object.freeze(judgeText(phase, reply, text));
    if (judgedReplies.size >= MAX_REMEMBERED_REPLIES) judgedReplies.clear();
    judgedReplies.set(key, judgement);
  }
  return judgement;
}

/** The table's judgement of a reply whose text is already normalized. */
function judgeText(phase: SmtpPhase, reply: SmtpReply, text: string): Judgement {
  const rule = rulesFor(phase, reply.code).find((r) => matches(r.match, reply, text));
  // The fallback stage covers every code 200–599 in every phase and 'invalid' covers the
  // rest, so this only guards against a future edit of the table (tested).
  if (!rule) return { verdict: verdictOf('protocol_error'), reason: 'protocol_error', rule: 'no-matching-rule' };
  const judgement: Judgement = { verdict: verdictOf(rule.reason), reason: rule.reason, rule: rule.id };
  if (rule.reason === 'greylisted' || rule.reason === 'rate_limited') {
    const delay = retryDelayMs(text);
    if (delay !== undefined) judgement.retryAfterMs = delay;
  }
  return judgement;
}

/**
 * A RCPT reply, judged next to the reply to the catch-all probe (a random address at the same
 * domain, in the same transaction): when both are refused with the same words and the words do
 * not speak of mailboxes, the refusal is a policy, not an answer about this mailbox.
 */
export function judgeRecipient(reply: SmtpReply, probeReply: SmtpReply | null): Judgement {
  if (reply.code >= 500 && probeReply && samePolicyRefusal(reply, probeReply))
    return decide('same-refusal-as-random-address');
  return judgeReply('rcpt', reply);
}

/**
 * What the reply to the random address says about the domain: true when the server accepted it
 * (catch-all), false when the server said there is no such mailbox, null when the reply says
 * nothing about mailboxes (a block, a delay, a policy) and the question stays open.
 */
export function judgeCatchAllProbe(probeReply: SmtpReply): boolean | null {
  const { reason } = judgeReply('rcpt', probeReply);
  if (reason === 'mailbox_exists') return true;
  if (reason === 'mailbox_not_found' || reason === 'mailbox_disabled') return false;
  return null;
}

/** What a session failure means: a refusal with a reply is judged by its reply, the rest by kind. */
export function judgeSessionFailure(
  kind: 'rejected' | 'timeout' | 'aborted' | 'protocol' | 'tls' | 'connection',
  phase: SmtpPhase,
  reply: SmtpReply | null,
): Judgement {
  // A server that says why it hangs up (421 "too many connections") is judged by its words.
  if (reply && (kind === 'rejected' || kind === 'connection')) return judgeReply(phase, reply);
  switch (kind) {
    case 'timeout':
      return decide('session-timeout');
    case 'aborted':
      return decide('session-cancelled');
    case 'protocol':
    case 'rejected':
      return decide('session-protocol');
    case 'tls':
      return decide('session-tls-failed');
    case 'connection':
      return decide('session-connect-failed');
  }
}

/** A DNS answer that ends the check before SMTP. */
export function judgeRouting(kind: 'null_mx' | 'no_such_domain' | 'no_mail_server' | 'dns_error'): Judgement {
  const ids: Record<typeof kind, DecisionId> = {
    null_mx: 'dns-null-mx',
    no_such_domain: 'dns-nxdomain',
    no_mail_server: 'dns-no-mail-server',
    dns_error: 'dns-failure',
  };
  return decide(ids[kind]);
}

/** Acceptance by a catch-all server proves nothing; a real but throwaway mailbox is risky. */
export function judgeWithFlags(judgement: Judgement, flags: Flags): Judgement {
  if (judgement.reason !== 'mailbox_exists') return judgement;
  if (flags.catchAll === true) return decide('catch-all-domain');
  if (flags.disposable) return decide('disposable-domain');
  return judgement;
}

/**
 * true when the reply speaks of the mailbox or recipient (x.1.x / x.2.x enhanced codes other
 * than the sender ones, or mailbox words). Same words for the real address and a random one
 * are a policy only when they are NOT mailbox-specific.
 */
export function isMailboxSpecific(reply: SmtpReply): boolean {
  const enhanced = reply.enhanced;
  if (enhanced && !enhancedIs(enhanced, ['x.1.7', 'x.1.8']) && enhancedIs(enhanced, ['x.1.*', 'x.2.*'])) return true;
  const text = normalizeText(reply.message);
  return [MS_DIRECTORY_REJECT, NO_SUCH_MAILBOX, MAILBOX_DISABLED, MAILBOX_FULL, MAILBOX_VAGUE, NAMES_MAILBOX].some(
    (re) => re.test(text),
  );
}

/** Same words for the real address and the random one, and the words are not about mailboxes. */
function samePolicyRefusal(reply: SmtpReply, probeReply: SmtpReply): boolean {
  if (probeReply.code < 500 || isMailboxSpecific(reply)) return false;
  const strip = (text: string) => text.replace(/<[^>]*>|\S+@\S+/g, '').trim();
  return reply.code === probeReply.code && strip(reply.message) === strip(probeReply.message);
}

// ---------------------------------------------------------------------------------------
// Matching.
// ---------------------------------------------------------------------------------------

// Every RCPT reply goes through the table: the rows that can apply to a phase and a basic code
// (a few dozen pairs in practice; at most 7 phases x 1,000 three-digit codes) and the enhanced
// code patterns are worked out once, not per reply.
const rulesByPhaseAndCode = new Map<SmtpPhase, Map<number, readonly Rule[]>>();
const enhancedPatterns = new Map<string, RegExp>();

function rulesFor(phase: SmtpPhase, code: number): readonly Rule[] {
  let byCode = rulesByPhaseAndCode.get(phase);
  if (!byCode) {
    byCode = new Map();
    rulesByPhaseAndCode.set(phase, byCode);
  }
  let rules = byCode.get(code);
  if (!rules) {
    rules = RULES.filter((rule) => rule.phases.includes(phase) && codeMatches(rule.match, code));
    byCode.set(code, rules);
  }
  return rules;
}

function codeMatches(m: ReplyMatcher, code: number): boolean {
  if (m.codes && !m.codes.some((spec) => codeIs(code, spec))) return false;
  return !m.exceptCodes?.includes(code);
}

function matches(m: ReplyMatcher, reply: SmtpReply, text: string): boolean {
  if (m.codes && !m.codes.some((spec) => codeIs(reply.code, spec))) return false;
  if (m.exceptCodes?.includes(reply.code)) return false;
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
  for (const pattern of patterns) if (enhancedPattern(pattern).test(enhanced)) return true;
  return false;
}

/** "x.2.2" → /^[^.]*\.2\.2$/, "5.7.*" → /^5\.7(?:\..*)?$/ (a regular expression tests without allocating). */
function enhancedPattern(pattern: string): RegExp {
  let re = enhancedPatterns.get(pattern);
  if (!re) {
    const parts = pattern.split('.');
    const any = parts.indexOf('*');
    const fixed = (any === -1 ? parts : parts.slice(0, any)).map((part) => (part === 'x' ? '[^.]*' : part));
    re = new RegExp(`^${fixed.join('\\.')}${any === -1 ? '' : any === 0 ? '.*' : '(?:\\..*)?'}$`);
    enhancedPatterns.set(pattern, re);
  }
  return re;
}

/** Text that normalizeText would change: most replies are already normal, and need no copy. */
const UNNORMAL_TEXT = /[\u2018\u2019]|\s\s|[^\S ]|^\s|\s$/;
/** "<someone@example.com>", as Postfix and others quote the recipient (not a bracketed URL). */
const BRACKETED_ADDRESS = /<[^<>\s:/]*@[^<>\s:/]*>/g;

/**
 * The server's words, as the table reads them: curly quotes made straight, whitespace collapsed,
 * and an address in angle brackets left out. That address is the one we asked about (or our
 * sender), not the server's words: "<spam-reports@example.com>: User unknown" is about a
 * mailbox, not about spam.
 */
function normalizeText(message: string): string {
  const text = message.includes('@') ? message.replace(BRACKETED_ADDRESS, '<>') : message;
  if (!UNNORMAL_TEXT.test(text)) return text;
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
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
