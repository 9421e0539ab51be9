import type { SmtpPhase } from '../../native-host/shared/result.js';
import type { Reason, Verdict } from '../../native-host/shared/verdicts.js';

// Real SMTP replies, collected from public sources: provider documentation, bounce-classification
// projects (their test data and rule comments quote real replies) and threads where people
// pasted real rejections. Each entry names where its text was found. The texts are written down
// here as data, the way smtp/reply-parser.ts hands a reply to the judge: the basic code and the
// enhanced code apart, the text of every line joined by "\n". Addresses, IPs and host names are
// the placeholders the sources themselves use.
//
// Each entry also says what MX Lens must conclude, by the rules in engine/judge.ts: words that
// name us or the connection → unknown, words that name the mailbox's state decide against the
// codes, and only silent words leave the decision to the codes. Where the phase is not stated by
// the source, it is the phase at which the server sends that kind of reply (a connection-level
// block at the banner, a recipient-level refusal at RCPT), and the note says so.

export interface CorpusReply {
  /** Where the text was found: a URL, or "owner/repo path". */
  from: string;
  /** The server, product or provider that sends it. */
  who: string;
  phase: SmtpPhase;
  code: number;
  enhanced: string | null;
  text: string;
  verdict: Verdict;
  reason: Reason;
  /** The delay the judge should read from the text, when the text states one. */
  retryAfterMs?: number;
  /** Why the answer is what it is, where that is not obvious (and every contradictory-code case). */
  note?: string;
}

const SMTP_CODES = (code: number) => `fm/smtp-codes data/codes/${code}.json (smtp.codes)`;
const SISIMAI = (file: string) => `sisimai/go-sisimai rhost/${file}`;
const GMAIL_DOC = `https://support.google.com/a/answer/3726730 (quoted in ${SISIMAI('for-google.go')})`;
const BOUNCEPARSER = 'rjbs/Mail-DeliveryStatus-BounceParser t/various-unknown.t';
const BOUNCEPARSER_SENDMAIL = 'rjbs/Mail-DeliveryStatus-BounceParser t/various-unknown-via-sendmail.t';
const POSTFIX_CHECK = 'vdukhovni/postfix postfix/src/smtpd/smtpd_check.c';
const POSTFIX_SMTPD = 'vdukhovni/postfix postfix/src/smtpd/smtpd.c';
const SITEPACKAGE = 'http://www.sitepackage.de/service/dokumentation/auswertung/typische-fehlermeldungen-bei-unzustellbarkeit.html';
const DBMAIL = 'https://www.dbmailserver.com/tui-xin-address-not-exist.htm';
const GMX_POSTMASTER = 'https://postmaster.gmx.com/en/error-messages';
const COMSERVICE = 'https://new-faq.comservice-ffo.de/smtp-fehlermeldungen-e-mail-fehler/';
const NETEASE = 'https://biecuoliao.com/pa/MBRrwEM.html (NetEase 163.com bounce code list)';
const SERVER_ACCEPTS_EMAIL = 'LinusU/server-accepts-email src/client.ts';

const NOT_FOUND = ['undeliverable', 'mailbox_not_found'] as const;
const DISABLED = ['undeliverable', 'mailbox_disabled'] as const;
const FULL = ['risky', 'mailbox_full'] as const;
const BLOCKED = ['unknown', 'blocked'] as const;
const RATE = ['unknown', 'rate_limited'] as const;
const GREY = ['unknown', 'greylisted'] as const;
const PROTOCOL = ['unknown', 'protocol_error'] as const;

function reply(
  from: string,
  who: string,
  phase: SmtpPhase,
  code: number,
  enhanced: string | null,
  text: string,
  [verdict, reason]: readonly [Verdict, Reason],
  extra: { note?: string; retryAfterMs?: number } = {},
): CorpusReply {
  return { from, who, phase, code, enhanced, text, verdict, reason, ...extra };
}

export const REPLY_CORPUS: readonly CorpusReply[] = [
  // ---- Gmail / Google Workspace ------------------------------------------------------------
  reply('https://pastebin.com/GpqZiPMT', 'Gmail', 'rcpt', 550, '5.1.1',
    "The email account that you tried to reach does not exist. Please try\ndouble-checking the recipient's email address for typos or\nunnecessary spaces. Learn more at\nhttps://support.google.com/mail/answer/6596 d72si22370812qhc.8 - gsmtp", NOT_FOUND),
  reply(SMTP_CODES(550), 'Gmail', 'rcpt', 550, '5.2.1',
    'The email account that you tried to reach is disabled. Learn more at https://support.google.com/mail/?p=DisabledUser - gsmtp', DISABLED),
  reply(SMTP_CODES(550), 'Gmail', 'rcpt', 550, '5.2.1',
    'The email account that you tried to reach is inactive. Learn more at https://support.google.com/mail/?p=DisabledUser - gsmtp', DISABLED),
  reply(SMTP_CODES(550), 'Gmail', 'rcpt', 550, '5.2.1',
    'The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. For more information, please visit https://support.google.com/mail/?p=ReceivingRatePerm - gsmtp', RATE,
    { note: 'contradictory code: 5.2.1 ("mailbox disabled") on words about the rate of mail; the words win' }),
  reply(SMTP_CODES(450), 'Gmail', 'rcpt', 450, '4.2.1',
    'The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. Please resend your message at a later time. If the user is able to receive mail at that time, your message will be delivered. For more information, please visit https://support.google.com/mail/?p=ReceivingRate - gsmtp', RATE),
  reply(GMAIL_DOC, 'Gmail', 'rcpt', 450, '4.2.1',
    'The user you are trying to contact is receiving mail too quickly. Please resend your message at a later time. If the user is able to receive mail at that time, your message will be delivered.', RATE),
  reply(SMTP_CODES(452), 'Gmail', 'rcpt', 452, '4.2.2',
    'The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp', FULL),
  reply(SMTP_CODES(552), 'Gmail', 'rcpt', 552, '5.2.2',
    'The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm - gsmtp', FULL),
  reply(GMAIL_DOC, 'Gmail', 'rcpt', 552, '5.2.2', "The recipient's inbox is out of storage space and inactive. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm", FULL,
    { note: 'full and inactive at once: full is the weaker claim and the code agrees' }),
  reply(SMTP_CODES(550), 'Gmail', 'rcpt', 550, '5.7.1',
    '[x.xx.xx.xx] Our system has detected that this message is likely suspicious due to the very low reputation of the sending domain. To best protect our users from spam, the message has been blocked. Please visit https://support.google.com/mail/answer/188131 for more information. - gsmtp', BLOCKED),
  reply(SMTP_CODES(550), 'Gmail', 'rcpt', 550, '5.7.26',
    'Your email has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. Authentication results: DKIM = did not pass. SPF [example.com] with ip: x.x.x.x = did not pass - gsmtp', BLOCKED),
  reply(SMTP_CODES(421), 'Gmail', 'banner', 421, '4.7.28',
    '[x.xx.xx.xx] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. Please visit https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email Senders Guidelines. - gsmtp', RATE,
    { note: 'phase: a per-IP limit, sent before any recipient' }),
  reply(GMAIL_DOC, 'Gmail', 'rcpt', 550, '5.7.28',
    'There is an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been blocked.', BLOCKED,
    { note: '"unusual rate" is a spam judgement here, not a throttle: "blocked", not "rate limited"' }),
  reply(GMAIL_DOC, 'Gmail', 'banner', 421, '4.7.0', 'IP not in whitelist for RCPT domain, closing connection.', BLOCKED,
    { note: 'a 421, but the words name an allow-list of sending IPs: waiting will not help' }),
  reply(GMAIL_DOC, 'Gmail', 'rcpt', 421, '4.7.0', 'TLS required for RCPT domain, closing connection.', BLOCKED),
  reply(GMAIL_DOC, 'Gmail', 'mail', 530, '5.7.0', 'Must issue a STARTTLS command first.', BLOCKED),
  reply(GMAIL_DOC, 'Gmail', 'ehlo', 501, '5.5.4', 'HELO/EHLO argument is invalid.', BLOCKED,
    { note: 'a 501, but the words refuse our HELO name: a refusal of us, not a protocol error' }),
  reply(GMAIL_DOC, 'Gmail', 'rcpt', 452, '4.5.3', 'Your message has too many recipients.', RATE),
  reply(GMAIL_DOC, 'Gmail', 'rcpt', 452, '4.5.3', 'Domain policy size per transaction exceeded, please try this recipient in a separate transaction.', RATE,
    { note: 'a limit per transaction: "policy" here does not name a refusal of us' }),
  reply(GMAIL_DOC, 'Gmail', 'mail', 553, '5.1.7', 'The sender address address is not a valid RFC 5321 address.', BLOCKED,
    { note: 'the source\'s own placeholder ("address address"); about our sender, never the recipient' }),
  reply(GMAIL_DOC, 'Gmail', 'banner', 421, '4.7.0', 'Try again later, closing connection.', RATE,
    { note: '421 keeps its own meaning (the server sheds load); "try again later" adds nothing' }),
  reply(GMAIL_DOC, 'Gmail', 'mail', 421, '4.3.0', 'Temporary System Problem. Try again later.', RATE),
  reply(SMTP_CODES(451), 'Gmail', 'rcpt', 451, '4.3.0', 'Mail server temporarily rejected message. - gsmtp', GREY),
  reply(GMAIL_DOC, 'Gmail', 'rcpt', 550, '5.4.5', 'Daily SMTP relay limit exceeded for user.', RATE),
  reply(GMAIL_DOC, 'Gmail', 'rcpt', 421, '4.7.0',
    'The IP address sending this message does not have a PTR record, or the corresponding forward DNS entry does not point to the sending IP. To protect our users from spam, mail sent from your IP address has been temporarily rate limited.', RATE,
    { note: 'both a rate limit and a PTR complaint: either way unknown; the rate words are read first' }),
  reply(SMTP_CODES(553), 'Gmail', 'rcpt', 553, '5.1.2', 'The recipient address <example@example.com> is not a valid RFC-5321 address. - gsmtp', NOT_FOUND),

  // ---- Microsoft 365 / Exchange Online / Outlook.com ---------------------------------------
  reply(SMTP_CODES(550), 'Exchange Online', 'rcpt', 550, '5.4.1', '[email@example.com]: Recipient address rejected: Access denied [example.com]', NOT_FOUND,
    { note: 'directory-based edge blocking: Microsoft answers "Access denied" for addresses not in the tenant' }),
  reply(`${SISIMAI('for-microsoft.go')} (learn.microsoft.com NDR reference)`, 'Microsoft 365', 'rcpt', 550, '5.4.1', 'Recipient address rejected: Access denied', NOT_FOUND),
  reply(SMTP_CODES(550), 'Outlook.com', 'rcpt', 550, '5.4.1', 'All recipient addresses rejected : Access denied [#.eop-nam02.prod.protection.outlook.com]', BLOCKED,
    { note: 'not the directory wording: smtp.codes reports it for sender blocks and allow-lists' }),
  reply(SMTP_CODES(550), 'Outlook.com', 'rcpt', 550, '5.5.0', 'Requested action not taken: mailbox unavailable. [#.eop-nam12.prod.protection.outlook.com]', NOT_FOUND),
  reply(`${SISIMAI('for-microsoft.go')} (learn.microsoft.com NDR reference)`, 'Microsoft 365', 'rcpt', 550, '5.1.10', 'RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', NOT_FOUND),
  reply(SMTP_CODES(550), 'Outlook.com', 'rcpt', 550, '5.7.1',
    "Unfortunately, messages from [x.xx.xx.xx] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [#.eop-nam02.prod.protection.outlook.com]", BLOCKED),
  reply(SMTP_CODES(550), 'Exchange Online', 'rcpt', 550, '5.7.606',
    'Access denied, banned sending IP [x.xx.xx.xx]. To request removal from this list please visit https://sender.office.com/ and follow the directions. For more information please go to  http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609)', BLOCKED),
  reply(SMTP_CODES(550), 'Exchange Online', 'rcpt', 550, '5.7.1', 'Service unavailable, Client host [x.xx.xx.xx] blocked using Spamhaus. (AS16012611)', BLOCKED),
  reply(SMTP_CODES(550), 'Exchange Online', 'rcpt', 550, '5.7.1', 'Service unavailable, Helo domain is listed in Spamhaus. (S8001) [#.prod.protection.outlook.com]', BLOCKED),
  reply(SMTP_CODES(550), 'Outlook.com', 'rcpt', 550, '5.7.1',
    'Service unavailable, MailFrom domain is listed in Spamhaus. To request removal from this list see https://www.spamhaus.org/query/lookup/ (S8002) [#.eop-nam02.prod.protection.outlook.com]', BLOCKED),
  reply(SMTP_CODES(550), 'Outlook.com', 'rcpt', 550, '5.7.515', 'Access denied, sending domain example.com does not meet the required authentication level.', BLOCKED,
    { note: '"domain … does not …" is about our sending domain, never the mailbox' }),
  reply(SMTP_CODES(550), 'Exchange Online', 'rcpt', 550, '5.7.1', 'TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy', BLOCKED),
  reply(SMTP_CODES(451), 'Outlook.com', 'mail', 451, '4.7.650',
    'The mail server [x.xx.xx.xx] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S843)[#.prod.protection.outlook.com]', RATE),
  reply(SMTP_CODES(451), 'Exchange Online', 'rcpt', 451, '4.7.500', 'Server busy. Please try again later from [x.xx.xx.x]. (AS77712344) [#.prod.protection.outlook.com]', GREY),
  reply(SMTP_CODES(451), 'Outlook.com', 'rcpt', 451, '4.7.0', 'Temporary server error. Please try again later. PRX6 NextHop: outlook.com [outlook.com]', GREY),
  reply(SMTP_CODES(452), 'Outlook.com', 'rcpt', 452, '4.3.1', 'Insufficient system resources (TSTE) [outlook.com]', GREY),
  reply(SMTP_CODES(450), 'Outlook.com', 'rcpt', 450, '4.7.3', 'Organization queue quota exceeded. [outlook.com]', RATE),
  reply(SMTP_CODES(421), 'Outlook.com', 'banner', 421, '4.3.2', 'Service not available [outlook.com]', RATE),
  reply(SMTP_CODES(421), 'Microsoft 365', 'banner', 421, '4.3.2',
    'The maximum number of concurrent connections per resource forest has exceeded a limit, closing transmission channel. example.com. PRX8 [example.com]', RATE),
  reply(SMTP_CODES(554), 'Outlook.com', 'rcpt', 554, '5.2.122',
    'The recipient has exceeded their limit for the number of messages they can receive per hour. For more information go to http://go.microsoft.com/fwlink/?LinkId=526653. (#) [outlook.com]', RATE),
  reply(SMTP_CODES(554), 'Outlook.com', 'rcpt', 554, '5.2.121',
    'The sender has exceeded the limit for the number of messages they can send to this recipient per hour. For more information go to http://go.microsoft.com/fwlink/?LinkId=526653. [#.prod.outlook.com #]', RATE),
  reply(`${SISIMAI('for-microsoft.go')} (learn.microsoft.com NDR reference)`, 'Exchange Online', 'rcpt', 550, '5.1.90',
    "Your message can't be sent because you've reached your daily limit for message recipients", RATE,
    { note: 'contradictory code: a 5.1.x "address" code on a sending limit; the words win' }),
  reply(`${SISIMAI('for-microsoft.go')} (learn.microsoft.com NDR reference)`, 'Exchange Online', 'rcpt', 550, '5.2.2', 'Submission quota exceeded', RATE,
    { note: 'contradictory code: 5.2.2 ("mailbox full") on the sender\'s submission quota; the words win' }),
  reply(SMTP_CODES(501), 'Outlook.com', 'rcpt', 501, '5.1.3', 'Invalid address [outlook.com]', NOT_FOUND),

  // ---- Yahoo / AOL --------------------------------------------------------------------------
  reply(SMTP_CODES(554), 'Yahoo', 'rcpt', 554, null, "delivery error: dd This user doesn't have a example.com account (example@example.com) [-9] - example.yahoo.com", NOT_FOUND),
  reply('https://github.com/netneutrality/savetheinternet.in/issues/161', 'Yahoo', 'rcpt', 554, null,
    "delivery error: dd This user doesn't have a ymail.com account (anto.antony@ymail.com) [0] - mta1285.mail.ne1.yahoo.com", NOT_FOUND),
  reply(SMTP_CODES(554), 'Yahoo', 'rcpt', 554, null, 'delivery error: dd Sorry, your message to example@example.com cannot be delivered. This mailbox is disabled (554.30). - example.yahoo.com', DISABLED),
  reply(SMTP_CODES(554), 'Yahoo', 'rcpt', 554, null, 'delivery error: dd example@example.com is no longer valid. [-20] - example.yahoo.com', DISABLED),
  reply(BOUNCEPARSER_SENDMAIL, 'Yahoo', 'rcpt', 554, null,
    'delivery error: dd Sorry your message to recipient@example.net cannot be delivered. This account has been disabled or discontinued [#102]. - mta330.mail.mud.yahoo.com', DISABLED),
  reply(SMTP_CODES(552), 'Yahoo', 'rcpt', 552, null, '1 Requested mail action aborted, mailbox not found', NOT_FOUND,
    { note: 'contradictory code: 552 ("storage exceeded") on "mailbox not found"; the words win' }),
  reply(BOUNCEPARSER, 'Yahoo', 'rcpt', 553, '5.3.0', '<recipient@example.net>... Address does not exist', NOT_FOUND),
  reply(SMTP_CODES(421), 'Yahoo', 'mail', 421, '4.7.0',
    '[TSS04] Messages from 0.0.0.0 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes', RATE,
    { note: `phase from ${SISIMAI('for-yahooinc.go')}: "in reply to MAIL FROM command"` }),
  reply(SMTP_CODES(553), 'Yahoo', 'mail', 553, '5.7.1',
    "[BL21] Connections will not be accepted from x.xx.xx.xx, because the ip is in Spamhaus's list; see http://postmaster.yahoo.com/550-bl23.html", BLOCKED),
  reply(SMTP_CODES(553), 'Yahoo', 'mail', 553, null, 'Mail from x.xx.xx.xx not allowed - 5.7.1 [BL23] Connections not accepted from IP addresses on Spamhaus XBL [550]', BLOCKED),
  reply(SISIMAI('for-yahooinc.go'), 'Yahoo', 'mail', 553, '5.7.2',
    '[TSS09] All messages from 192.0.2.25 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes', BLOCKED,
    { note: 'names no cause at all, but it comes at MAIL: never a verdict on a mailbox' }),
  reply(SMTP_CODES(554), 'Yahoo', 'rcpt', 554, '5.7.9', 'Message not accepted for policy reasons. See https://postmaster.yahooinc.com/error-codes', BLOCKED),
  reply(SMTP_CODES(550), 'Yahoo', 'rcpt', 550, null, 'relaying denied for <example@example.com>', BLOCKED),
  reply(SMTP_CODES(450), 'Yahoo', 'rcpt', 450, null, 'User is receiving mail too quickly', RATE),
  reply(SMTP_CODES(421), 'Yahoo', 'mail', 421, null, 'Max message per connection reached, closing transmission channel', RATE),
  reply(SMTP_CODES(421), 'Yahoo', 'banner', 421, null, 'Service not available, closing transmission channel', RATE),
  reply(SMTP_CODES(451), 'Yahoo', 'rcpt', 451, null, 'example.yahoo.com Resources temporarily unavailable. Please try again later [#4.16.1].', GREY),
  reply(SMTP_CODES(452), 'Yahoo', 'rcpt', 452, null, 'temporary domain failure <example@example.com>', GREY),
  reply(BOUNCEPARSER, 'AOL', 'rcpt', 550, null, 'MAILBOX NOT FOUND', NOT_FOUND),

  // ---- Apple iCloud -------------------------------------------------------------------------
  reply(SMTP_CODES(550), 'iCloud', 'rcpt', 550, '5.1.1', '<example@icloud.com>: user does not exist', NOT_FOUND),
  reply(SISIMAI('for-apple.go'), 'iCloud', 'rcpt', 550, '5.1.1', '<****@icloud.com>: inactive email address', DISABLED,
    { note: 'the words name the mailbox state (inactive), which the table reads before the 5.1.1 code' }),
  reply(SISIMAI('for-apple.go'), 'iCloud', 'rcpt', 550, '5.1.1', 'unknown or illegal alias: ****@icloud.com', NOT_FOUND),
  reply(BOUNCEPARSER, 'me.com', 'rcpt', 550, '5.1.6', 'recipient no longer on server: recipient@example.net', NOT_FOUND),
  reply(SMTP_CODES(552), 'iCloud', 'rcpt', 552, '5.2.2', '<example@icloud.com>: user is overquota', FULL),
  reply(SMTP_CODES(554), 'iCloud', 'rcpt', 554, '5.7.1', '<example@icloud.com>: Relay access denied', BLOCKED),
  reply(SMTP_CODES(550), 'iCloud', 'rcpt', 550, '5.7.1', '[CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137', BLOCKED),
  reply(SMTP_CODES(550), 'iCloud', 'rcpt', 550, '5.7.1', 'Your email was rejected due to having a domain present in the Spamhaus DBL -- see https://www.spamhaus.org/dbl/', BLOCKED),
  reply(SMTP_CODES(421), 'iCloud', 'rcpt', 421, '4.7.1', 'Messages to example@icloud.com deferred due to excessive volume. Try again later - https://support.apple.com/en-us/HT204137', RATE),
  reply(SMTP_CODES(421), 'iCloud', 'rcpt', 421, '4.7.0', 'me.com Error: too many errors', RATE),
  reply(SMTP_CODES(451), 'iCloud', 'rcpt', 451, '4.7.1', 'Service unavailable - try again later', GREY),
  reply(SISIMAI('for-apple.go'), 'iCloud', 'rcpt', 450, '4.1.8', '<kijitora@example.jp>: Sender address rejected: Domain not found', BLOCKED),

  // ---- GMX / WEB.DE / IONOS (United Internet) -----------------------------------------------
  reply(GMX_POSTMASTER, 'GMX', 'banner', 554, null,
    'gmx.net (mxgmx104) Nemesis ESMTP Service not available\nNo SMTP service\nIP address is block listed.\nFor explanation visit https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=198.51.100.42&r=1MNcgj-1ue23t3pyV-00S2YR', BLOCKED),
  reply(SMTP_CODES(550), 'GMX', 'rcpt', 550, null, 'Requested action not taken: mailbox unavailable', NOT_FOUND,
    { note: 'GMX documents it for a missing (or long-unused, disabled) mailbox' }),
  reply(SMTP_CODES(550), 'GMX', 'rcpt', 550, null, 'Requested action not taken: mailbox unavailable Reject due to policy restrictions.', BLOCKED,
    { note: 'mailbox wording and policy wording together: a refusal of us wins' }),
  reply(SMTP_CODES(552), 'GMX', 'rcpt', 552, null, 'Requested mail action aborted: exceeded storage allocation Quota exceeded.', FULL),
  reply(SITEPACKAGE, 'GMX', 'rcpt', 550, '5.1.1', '... User is unknown', NOT_FOUND),
  reply(SITEPACKAGE, 'GMX', 'rcpt', 550, '5.2.1', '... User is inactive', DISABLED),
  reply(SMTP_CODES(550), 'WEB.DE', 'rcpt', 550, null, '<example@example.com>: Requested mail action aborted: exceeded storage allocation, Quota exceeded', FULL),
  reply(SMTP_CODES(550), 'WEB.DE', 'rcpt', 550, null, '<example@example.com>: IP address is block listed', BLOCKED),
  reply(SMTP_CODES(550), 'WEB.DE', 'rcpt', 550, null, '<example@example.com>: Bad DNS PTR resource record', BLOCKED),
  reply(SMTP_CODES(550), 'WEB.DE', 'rcpt', 550, null, '<example@example.com>: Reject due to policy restrictions (IP based)', BLOCKED),
  reply(SMTP_CODES(550), 'WEB.DE', 'mail', 550, null, '<example@example.com>: Reject due to SPF policy. The originating IP of the message is not permitted by the domain owner', BLOCKED),
  reply(SITEPACKAGE, 'WEB.DE', 'rcpt', 550, null, 'Benutzer hat zuviele Mails auf dem Server. / User has too many messages on the server.', FULL,
    { note: '"too many messages" on the server is a full mailbox, not a rate limit' }),
  reply(SITEPACKAGE, 'WEB.DE', 'rcpt', 550, null, 'Benutzer hat das Speichervolumen ueberschritten. / User has exhausted allowed storage space.', FULL),
  reply(SITEPACKAGE, 'WEB.DE', 'rcpt', 550, null, 'Benutzer nicht bekannt/User unknown', NOT_FOUND),
  reply(COMSERVICE, 'German hosting provider', 'banner', 421, null, 'Rate limit reached. Please try again later', RATE),
  reply(COMSERVICE, 'German hosting provider', 'rcpt', 450, null, 'Reject due to policy violations.', BLOCKED,
    { note: 'the page explains: too many mails to non-existent addresses from this IP' }),

  // ---- Zoho ---------------------------------------------------------------------------------
  reply(SISIMAI('for-zoho.go'), 'Zoho', 'rcpt', 550, '5.1.1', 'User does not exist - <***@zoho.com>', NOT_FOUND),
  reply(SMTP_CODES(550), 'Zoho', 'rcpt', 550, '5.1.1', '<example@zoho.com> User unknown', NOT_FOUND),
  reply(SISIMAI('for-zoho.go'), 'Zoho', 'rcpt', 451, '4.7.1', 'Greylisted, try again after some time', GREY),
  reply(SMTP_CODES(552), 'Zoho', 'rcpt', 552, '5.1.1', '<example@zoho.com> Mailbox delivery failure policy error', BLOCKED,
    { note: 'contradictory code: 5.1.1 on words that name a policy; by the rule a policy refusal stays unknown' }),
  reply(SMTP_CODES(452), 'Zoho', 'rcpt', 452, null, '<example@zoho.com> Mailbox delivery restricted by policy error', BLOCKED),
  reply(SISIMAI('for-zoho.go'), 'Zoho', 'rcpt', 554, '5.7.1', 'Email cannot be delivered. Reason: Email flagged as Spam.', BLOCKED),
  reply(SMTP_CODES(451), 'Zoho', 'rcpt', 541, '5.4.1', 'Mail rejected by destination domain', BLOCKED),
  reply(SMTP_CODES(452), 'Zoho', 'rcpt', 452, '4.3.1', 'Temporary System Error', GREY),

  // ---- Yandex / Mail.ru / Rambler -----------------------------------------------------------
  reply(SMTP_CODES(550), 'Yandex', 'rcpt', 550, '5.7.1', 'No such user!', NOT_FOUND,
    { note: 'contradictory code: a 5.7.x "policy" code on "no such user"; the words win (issue 8)' }),
  reply(SMTP_CODES(550), 'Yandex', 'rcpt', 550, '5.7.1', 'Policy rejection on the target address', BLOCKED,
    { note: 'Yandex uses it for accounts blocked for abuse; the words name a policy, so unknown' }),
  reply(SMTP_CODES(552), 'Yandex', 'rcpt', 552, '5.2.2', 'Mailbox size limit exceeded', FULL,
    { note: '"limit exceeded" about the mailbox size, not a sending rate' }),
  reply(SMTP_CODES(450), 'Yandex', 'rcpt', 450, '4.2.1', 'The recipient has exceeded message rate limit. Try again later.', RATE),
  reply(SMTP_CODES(451), 'Yandex', 'rcpt', 451, '4.7.1', 'Sorry, the service is currently unavailable. Please come back later.', GREY),
  reply(SMTP_CODES(554), 'Yandex', 'rcpt', 554, '5.7.1', '[1] Message rejected under suspicion of SPAM; https://ya.cc/1IrBc ##', BLOCKED),
  reply(SMTP_CODES(421), 'Yandex', 'rcpt', 421, '4.4.2', 'mail.yandex.net Error: timeout exceeded', RATE),
  reply(SMTP_CODES(550), 'Mail.ru', 'rcpt', 550, null, 'Message was not accepted -- invalid mailbox. Local mailbox example@mail.ru is unavailable: account is disabled', DISABLED),
  reply(SMTP_CODES(550), 'Mail.ru', 'rcpt', 550, null,
    'spam message rejected. Please visit http://help.mail.ru/notspam-support/id?c=7y4ytdHbuOGv3O50NYTwpz1F-TVIpnactxtFPeFQSDYMAAAAaKgAAOX_3hE~ or report details to abuse@corp.mail.ru. Error code: ###. ID: #', BLOCKED),
  reply(SMTP_CODES(540), 'Rambler', 'rcpt', 540, '5.7.1', '<example@rambler.ru>: recipient address rejected: Inactive', DISABLED,
    { note: 'contradictory code: 5.7.1 on a mailbox state ("Inactive"); the words win' }),
  reply(SMTP_CODES(540), 'Rambler', 'rcpt', 540, '5.7.1', '<example@rambler.ru>: recipient address rejected: Blocked', BLOCKED,
    { note: 'could be the account or us; a bare "Blocked" is never read as a verdict on the mailbox' }),
  reply(SMTP_CODES(452), 'Rambler', 'rcpt', 452, '4.5.3', 'rate limit exceeded', RATE),
  reply(SMTP_CODES(554), 'Rambler', 'rcpt', 554, '5.7.1', 'Spam message rejected; If this is not spam contact abuse', BLOCKED),

  // ---- QQ / Tencent, NetEase 163 ------------------------------------------------------------
  reply(SMTP_CODES(550), 'QQ Mail', 'rcpt', 550, null, 'Mailbox not found.', NOT_FOUND),
  reply(DBMAIL, 'QQ Mail', 'rcpt', 550, null, 'Mailbox not found. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728', NOT_FOUND),
  reply(SMTP_CODES(550), 'QQ Mail', 'rcpt', 550, null, 'Mailbox unavailable or access denied', BLOCKED,
    { note: 'QQ sends it while a recipient is flooded; "access denied" keeps it unknown' }),
  reply(SMTP_CODES(550), 'QQ Mail', 'rcpt', 550, null, 'Sender frequency limited.', RATE),
  reply(SISIMAI('for-tencent.go'), 'QQ Mail', 'banner', 550, null, 'Ip frequency limited.', RATE,
    { note: 'phase: a per-IP limit, sent before any recipient' }),
  reply(SMTP_CODES(550), 'QQ Mail', 'rcpt', 550, null, 'Suspected spam sender.', BLOCKED),
  reply(SMTP_CODES(550), 'QQ Mail', 'rcpt', 550, null, 'Mail is rejected by recipients ', BLOCKED,
    { note: 'the recipient blocked us personally; says nothing about whether the mailbox exists' }),
  reply(SMTP_CODES(550), 'QQ Mail', 'mail', 550, null, 'DMARC check failed ', BLOCKED),
  reply(SMTP_CODES(501), 'QQ Mail', 'rcpt', 501, null, 'Bad address syntax. http://service.exmail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000730', PROTOCOL,
    { note: 'the server could not parse our command; our own syntax check passed the address' }),
  reply(DBMAIL, '163.com (NetEase)', 'rcpt', 550, null, 'User not found: 12345@163.com', NOT_FOUND),
  reply(NETEASE, '163.com (NetEase)', 'rcpt', 451, null, 'DT:SPM ,please try again', GREY),
  reply(DBMAIL, 'Chinese provider', 'rcpt', 550, null, 'RC:LD The email account that you tried to reach does no exists.', NOT_FOUND),
  reply(DBMAIL, 'Chinese provider', 'rcpt', 551, '5.1.1', 'recipient is not exist', NOT_FOUND),
  reply(DBMAIL, 'Chinese provider', 'rcpt', 550, '5.7.0', '***@dbmailtest... address invalid', BLOCKED,
    { note: 'contradictory but weak: "address invalid" is not a plain denial, so the 5.7.0 code decides' }),
  reply(DBMAIL, 'Chinese provider', 'rcpt', 552, null, '"RCPT TO" mailbox unavailable', NOT_FOUND,
    { note: 'contradictory code: 552 ("storage") on "mailbox unavailable"; the page lists it as no such address' }),
  reply(DBMAIL, 'Chinese provider', 'rcpt', 550, null, 'Local User [xxx@123.com] not found.', NOT_FOUND),
  reply(DBMAIL, 'Chinese provider', 'rcpt', 550, null, '#2175041 unavailable mail user', NOT_FOUND),

  // ---- Mimecast -----------------------------------------------------------------------------
  reply(SMTP_CODES(451), 'Mimecast', 'rcpt', 451, null, 'Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#451 [#]', GREY,
    { note: 'a 4xx never makes an address undeliverable, whatever it says' }),
  reply(SISIMAI('for-mimecast.go'), 'Mimecast', 'rcpt', 550, null, 'Invalid Recipient', NOT_FOUND),
  reply('https://github.com/tianon/dockerfiles/issues/96', 'Mimecast', 'rcpt', 451, null,
    'Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451 [XXXXX]', GREY),
  reply(SMTP_CODES(550), 'Mimecast', 'rcpt', 550, null, 'Administrative prohibition - envelope blocked', BLOCKED),
  reply(SMTP_CODES(550), 'Mimecast', 'rcpt', 550, null, 'Envelope blocked - User Entry', BLOCKED),
  reply(SMTP_CODES(550), 'Mimecast', 'rcpt', 550, null, 'Local CT IP Reputation - (reject)', BLOCKED),
  reply(SMTP_CODES(550), 'Mimecast', 'mail', 550, null, 'SPF Sender Invalid - envelope rejected.', BLOCKED),
  reply(SMTP_CODES(451), 'Mimecast', 'rcpt', 451, null, 'Open relay not allowed - https://community.mimecast.com/docs/DOC-1369#451 [#]', BLOCKED),
  reply(SISIMAI('for-mimecast.go'), 'Mimecast', 'rcpt', 451, null, 'IP temporarily blacklisted', BLOCKED),
  reply(SISIMAI('for-mimecast.go'), 'Mimecast', 'rcpt', 452, null, 'Too many recipients', RATE),
  reply(SMTP_CODES(554), 'Mimecast', 'rcpt', 554, null, 'Email rejected due to security policies - https://community.mimecast.com/docs/DOC-1369#554 [#]', BLOCKED),

  // ---- Proofpoint ---------------------------------------------------------------------------
  reply(SMTP_CODES(550), 'Proofpoint', 'rcpt', 550, '5.1.1', '<email@example>: Recipient address rejected: User unknown', NOT_FOUND),
  reply(SMTP_CODES(550), 'Proofpoint', 'rcpt', 550, '5.1.1', '- This is not a valid email address. Please verify that you have the correct email address for your recipient.', NOT_FOUND),
  reply(SMTP_CODES(550), 'Proofpoint', 'rcpt', 550, '5.7.1', '<email@example.com>: Recipient address rejected: User email address is marked as invalid.', NOT_FOUND,
    { note: 'contradictory code: 5.7.1 on a mailbox state (Proofpoint marks addresses the real server rejected)' }),
  reply(SMTP_CODES(550), 'Proofpoint', 'rcpt', 550, '5.1.8', '<sender@example.com>: Sender address rejected: Domain not found', BLOCKED),
  reply(SMTP_CODES(550), 'Proofpoint', 'rcpt', 550, '5.5.2', '<email@example.com>: Sender address rejected: need fully-qualified address', BLOCKED),
  reply(SMTP_CODES(550), 'Proofpoint', 'rcpt', 550, '5.7.1', 'Relaying denied', BLOCKED),
  reply(SMTP_CODES(550), 'Proofpoint', 'rcpt', 550, '5.7.1', 'Service unavailable; client [x.xx.xx.xx] blocked using prs.proofpoint.com', BLOCKED),
  reply(SMTP_CODES(550), 'Proofpoint', 'rcpt', 550, '5.7.1',
    'Service unavailable; client [x.xx.xx.xx] blocked using Cloudmark Sender Intelligence (Visit http://csi.cloudmark.com/reset-request/ if you feel this is in error)', BLOCKED),
  reply(SMTP_CODES(421), 'Proofpoint', 'rcpt', 421, '4.1.1', '<email@example.com>: Recipient address rejected: unverified address: Address verification in progress', RATE),

  // ---- Barracuda ----------------------------------------------------------------------------
  reply(SMTP_CODES(550), 'Barracuda', 'rcpt', 550, null, 'cuda_nsu 5.1.1 <email@example.com> Recipient address rejected: User unknown', NOT_FOUND,
    { note: 'the enhanced code follows a tag, so the parser leaves it in the text' }),
  reply(SMTP_CODES(550), 'Barracuda', 'rcpt', 550, null, 'No such user (email@example.com)', NOT_FOUND),
  reply(SMTP_CODES(550), 'Barracuda', 'rcpt', 550, null, 'Blocked', BLOCKED),
  reply(SMTP_CODES(550), 'Barracuda', 'rcpt', 550, null, 'permanent failure for one or more recipients (email@example.com:blocked)', BLOCKED),
  reply(SMTP_CODES(450), 'Barracuda', 'rcpt', 450, null, 'cuda_nsu 4.7.1 <email@example.com>: Recipient address rejected: Policy Rejection- Abuse. Go away.', BLOCKED),
  reply(SMTP_CODES(451), 'Barracuda', 'rcpt', 451, '4.7.1', '<email@example.com>: Recipient address rejected: Greylisted for 5 minutes', GREY, { retryAfterMs: 300_000 }),
  reply(SMTP_CODES(421), 'Barracuda', 'rcpt', 421, null, 'Temporary failure, please try again later.', RATE),

  // ---- Cisco (IronPort), Symantec/Broadcom Email Security.cloud, Trend Micro -------------------
  reply(SMTP_CODES(550), 'Cisco', 'rcpt', 550, '5.7.1', 'Your access to submit messages to this e-mail system has been rejected.', BLOCKED),
  reply(BOUNCEPARSER, 'Cisco IronPort', 'rcpt', 553, null, 'sorry, badrcptto(user mail-box not found) (#5.7.1)', NOT_FOUND),
  reply(DBMAIL, 'Cisco IronPort', 'rcpt', 550, null, '#5.1.0 Address rejected.', NOT_FOUND),
  reply(SMTP_CODES(550), 'Email Security.cloud', 'rcpt', 550, null, 'Invalid recipient <email@example.com> (#5.1.1)', NOT_FOUND),
  reply(SMTP_CODES(553), 'Email Security.cloud', 'rcpt', 553, null,
    'you are trying to use me [xx.messagelabs.com] as a relay, but I have not been configured to let you [x.xx.xx.xx, example.com] do this. (#5.7.1)', BLOCKED),
  reply(SMTP_CODES(421), 'Email Security.cloud', 'banner', 421, null, 'Service Temporarily Unavailable', RATE),
  reply(SMTP_CODES(554), 'Trend Micro', 'rcpt', 554, '5.7.1', '<example@example.com>: Recipient address rejected: Invalid-Recipient.', NOT_FOUND,
    { note: 'contradictory code: 5.7.1 on "Invalid-Recipient"; the words win' }),
  reply(SMTP_CODES(554), 'Trend Micro', 'rcpt', 554, '5.7.1', '<example@example.com>: Recipient address rejected: BLOCK-RCPT.', BLOCKED),
  reply(SMTP_CODES(550), 'Trend Micro', 'rcpt', 550, '5.7.1', '<example@example.com>: Recipient address rejected: ERS-Customized-Block.', BLOCKED),
  reply(SMTP_CODES(554), 'ZeroSpam', 'rcpt', 554, '5.7.1', '<email@example.com>: Recipient address rejected: Not in recipient list', NOT_FOUND,
    { note: 'contradictory code: 5.7.1 on "not in recipient list" (the filter\'s list of valid recipients)' }),
  reply(SMTP_CODES(450), 'ZeroSpam', 'rcpt', 450, '4.2.0', '<email@example.com>: Recipient address rejected: example.com greylisted for 60 seconds by ZEROSPAM', GREY, { retryAfterMs: 60_000 }),

  // ---- Comcast, AT&T, Cox, Orange, Free, T-Online, Rackspace, GoDaddy, others -----------------
  reply(SMTP_CODES(550), 'Comcast', 'rcpt', 550, '5.1.1', 'Not our Customer', NOT_FOUND),
  reply(BOUNCEPARSER_SENDMAIL, 'Comcast', 'rcpt', 551, null, 'not our customer', NOT_FOUND),
  reply(SMTP_CODES(550), 'Comcast', 'rcpt', 550, '5.1.1', '<example@comcast.net> recipient mailbox unallocated', NOT_FOUND),
  reply(SMTP_CODES(550), 'Comcast', 'rcpt', 550, '5.2.0', '<example@comcast.net> - Recipient unavailable', NOT_FOUND),
  reply(SMTP_CODES(552), 'Comcast', 'rcpt', 552, '5.1.1', '<example@comcast.net> recipient rejected - extended quota violation', FULL,
    { note: 'contradictory code: 5.1.1 ("bad mailbox") on a quota; the words win (issue 8: 5.1.x on "mailbox full")' }),
  reply(SMTP_CODES(452), 'Comcast', 'rcpt', 452, '4.1.1', '<example@comcast.net> too many recent messages; Try again later', RATE,
    { note: 'contradictory code: 4.1.1 ("bad mailbox") on a rate complaint; the words win' }),
  reply(SMTP_CODES(452), 'Comcast', 'rcpt', 452, '4.1.1', '<example@comcast.net> user over quota', FULL),
  reply(SMTP_CODES(450), 'Comcast', 'rcpt', 450, '4.2.0', '<example@comcast.net> - Recipient temporarily unavailable', GREY),
  reply(SMTP_CODES(554), 'Comcast', 'banner', 554, null,
    'xx.comcast.net comcast x.xx.xx.xx Comcast requires that all mail servers must have a PTR record with a valid Reverse DNS entry. Currently your mail server does not fill that requirement. For more information, refer to: http://postmaster.comcast.net/smtp-error-codes.php#554', BLOCKED),
  reply(SMTP_CODES(550), 'AT&T', 'rcpt', 550, '5.2.1', '<EXAMPLE@PRODIGY.NET>... Addressee unknown, relay=[x.xx.xx.xx]', NOT_FOUND,
    { note: 'contradictory code: 5.2.1 ("disabled") on "addressee unknown"; the words win' }),
  reply(SMTP_CODES(550), 'AT&T', 'rcpt', 550, '5.2.1', '<example@prodigy.net>... blank mailhost - invalid address, relay=[x.xx.xx.xx]', NOT_FOUND,
    { note: 'contradictory code: 5.2.1 ("disabled") on "invalid address"; the words win' }),
  reply(SMTP_CODES(550), 'AT&T', 'rcpt', 550, '5.7.1', 'Connections not accepted from servers without a valid sender domain. ## Fix reverse DNS for x.xx.xx.xx', BLOCKED),
  reply(BOUNCEPARSER_SENDMAIL, 'AT&T', 'rcpt', 550, null, '[SUSPEND] Mailbox currently suspended - Please contact correspondent directly', DISABLED),
  reply(BOUNCEPARSER_SENDMAIL, 'Cox', 'rcpt', 550, null, '<recipient@example.net> recipient rejected', NOT_FOUND),
  reply(SMTP_CODES(550), 'Orange', 'rcpt', 550, '5.1.1', 'Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]', NOT_FOUND),
  reply(SMTP_CODES(552), 'Orange', 'rcpt', 552, '5.1.1', 'Boite du destinataire pleine. Recipient overquota. OFR_417 [417]', FULL,
    { note: 'contradictory code: 5.1.1 on "mailbox full" (issue 8); the words win' }),
  reply(SMTP_CODES(550), 'Orange', 'rcpt', 550, null,
    'mwinfXXXX ME Adresse IP source bloquee pour incident de spam. Client host blocked for spamming issues. OFR006_102 Ref http://csi.cloudmark.com/reset-request/?ip=xxx.xxx.xxx.xxx [102]', BLOCKED),
  reply(SMTP_CODES(550), 'Orange', 'rcpt', 550, '5.2.0', 'Mail rejete. Mail rejected. ofr_506 [506]', BLOCKED,
    { note: 'no word about the mailbox: unknown, never undeliverable' }),
  reply(SMTP_CODES(501), 'Orange', 'mail', 501, '5.1.0', 'Emetteur invalide. Invalid Sender. OFR004_405 [405]', BLOCKED),
  reply(SMTP_CODES(550), 'Free', 'rcpt', 550, '5.2.2', 'user quota exceeded', FULL),
  reply(SMTP_CODES(550), 'Free', 'rcpt', 550, '5.2.1', 'This mailbox has been blocked due to inactivity', DISABLED,
    { note: '"blocked" here is the mailbox\'s state, not a block of us' }),
  reply(SMTP_CODES(554), 'Free', 'rcpt', 554, '5.2.2', '<example@free.fr>: Recipient address rejected: Quota exceeded (mailbox for user is full)', FULL),
  reply(SMTP_CODES(550), 'Free', 'rcpt', 550, null, 'spam detected', BLOCKED),
  reply(SITEPACKAGE, 'T-Online', 'rcpt', 552, '5.2.2', 'Over STORAGE quota', FULL),
  reply(SMTP_CODES(550), 'T-Online', 'rcpt', 550, '5.7.0', 'Message considered as spam or virus, rejected', BLOCKED),
  reply(SITEPACKAGE, 'Freenet', 'rcpt', 550, null, 'unrouteable address', NOT_FOUND),
  reply(SITEPACKAGE, 'Lycos', 'rcpt', 550, null, ': Recipient address rejected: Account Closed', DISABLED),
  reply(SITEPACKAGE, 'CompuServe', 'banner', 554, null, 'Refused. Your reverse DNS entry contains your IP address and a country code.', BLOCKED),
  reply(SMTP_CODES(550), 'Rackspace', 'rcpt', 550, '5.1.1', 'Email address could not be found, or was misspelled (G8) or (G9)', NOT_FOUND),
  reply(SMTP_CODES(550), 'Rackspace', 'rcpt', 550, '5.7.1', "The recipient's server refused to accept your message (G7)", BLOCKED),
  reply(SMTP_CODES(450), 'Rackspace', 'rcpt', 450, '4.7.1', 'Client host {IP} has no PTR record (G1F)', BLOCKED),
  reply(SMTP_CODES(450), 'Rackspace', 'rcpt', 450, '4.2.1', '<email@example.com>: Mailbox received too much email in a short period of time (G30)', RATE),
  reply(SMTP_CODES(421), 'Rackspace', 'banner', 421, null, 'Too many concurrent connections from this client (G2)', RATE),
  reply(SMTP_CODES(451), 'Rackspace', 'rcpt', 451, '4.7.1', 'Received too many messages from a new or untrusted IP (G28)', RATE),
  reply(SMTP_CODES(554), 'Rackspace', 'rcpt', 554, '5.7.1', 'user@example.com: Sender address rejected: Blocked by this recipient (GE)', BLOCKED),
  reply(SMTP_CODES(421), 'GoDaddy', 'banner', 421, null,
    'Connection refused, too many sessions from $(_ipsrc). Please lower the number of concurrent sessions. IB007 <https://www.secureserver.net/help/fix-rejected-email-with-a-bounce-error-40685?pl_id=3153&prog_id=3153#rlb', RATE),
  reply(SMTP_CODES(421), 'GoDaddy', 'banner', 421, null, 'Temporarily rejected. Reverse DNS for $(_ipsrc) failed. IB108', BLOCKED),
  reply(SMTP_CODES(554), 'GoDaddy', 'rcpt', 554, null,
    '$(_ipsrc) has been temporarily blocked for attempting to mail too many invalid recipients. IB112 <https://www.secureserver.net/help/fix-rejected-email-with-a-bounce-error-40685?pl_id=1592&prog_id=domainspricedright#rlb', RATE,
    { note: 'what a verifier meets after probing too many bad addresses: a limit on us, never a verdict' }),
  reply(SMTP_CODES(554), 'GoDaddy', 'banner', 554, null,
    'IB104. Connection refused. $(_ipsrc) is listed on the Spamhaus Block List (SBL).  <http://www.spamhaus.org/query/ip/$(_ipsrc)> Please visit http://www.spamhaus.org/sbl for more information or to request a delisting.', BLOCKED),
  reply(SMTP_CODES(452), 'GoDaddy', 'rcpt', 452, null, '$(_toemail) temporarily unavailable. Try again later.', GREY),
  reply(SMTP_CODES(550), 'Hostpoint', 'rcpt', 550, null, 'no such address here', NOT_FOUND),
  reply(SMTP_CODES(550), 'MXroute', 'rcpt', 550, null, 'No such recipient here', NOT_FOUND),
  reply(SMTP_CODES(550), 'MXroute', 'rcpt', 550, null, 'Relay not permitted', BLOCKED),
  reply(SMTP_CODES(550), 'MXroute', 'mail', 550, null, 'Sender verify failed', BLOCKED),
  reply(SMTP_CODES(550), 'ImprovMX', 'rcpt', 550, '5.1.3', 'Relay not permitted. (#id-5.9.2)', BLOCKED,
    { note: 'contradictory code: 5.1.3 ("bad address") on a relay refusal; the words win' }),
  reply(SMTP_CODES(550), 'Proton Mail', 'rcpt', 550, '5.1.1', 'Recipient address rejected: Address does not exist', NOT_FOUND),
  reply(SMTP_CODES(550), 'HEY', 'rcpt', 550, '5.1.1', '<example@hey.com>: Recipient address rejected: User unknown', NOT_FOUND),
  reply(SMTP_CODES(421), 'Titan Email', 'banner', 421, '4.7.0', ' : Sender IP rejected: sending IP has insufficient reputation.  Please retry later.', BLOCKED),

  // ---- Replies collected by the BounceParser test suite ------------------------------------
  reply(BOUNCEPARSER, 'generic', 'rcpt', 550, null, '<recipient@example.net> is not a known user on this system;\nsee http://www.example.net/cs/email/bounce.html', NOT_FOUND),
  reply(BOUNCEPARSER, 'generic', 'rcpt', 554, null, 'Rcpt <recipient@example.net> does not exist', NOT_FOUND),
  reply(BOUNCEPARSER, 'generic', 'rcpt', 550, '5.7.1', 'No mailbox found', NOT_FOUND,
    { note: 'contradictory code: 5.7.1 on "no mailbox found"; the words win' }),
  reply(BOUNCEPARSER, 'generic', 'rcpt', 551, null, '<recipient@example.net> is a deactivated mailbox', DISABLED),
  reply(BOUNCEPARSER, 'generic', 'rcpt', 550, null, 'Recipient does not exist on this system', NOT_FOUND),
  reply(BOUNCEPARSER, 'generic', 'rcpt', 550, null, '** No mail box available for this user **', NOT_FOUND),
  reply(BOUNCEPARSER, 'generic', 'rcpt', 550, null, 'User [recipient@example.net] does not exist', NOT_FOUND),
  reply(BOUNCEPARSER, 'FreeUK', 'rcpt', 550, null, 'recipient@example.net is not an active address at this host (invalid FreeUK 550 username)', NOT_FOUND),
  reply(BOUNCEPARSER, 'generic', 'rcpt', 550, null, '"recipient@example.net" is not a known user', NOT_FOUND),
  reply(BOUNCEPARSER, 'Polish provider', 'rcpt', 501, '5.1.3', 'Odbiorca <recipient@example.net> nie istnieje / Recipient <recipient@example.net> does not exist', NOT_FOUND),
  reply(BOUNCEPARSER, 'UK university', 'rcpt', 550, null, 'BAD_RECIPIENT - see http://www.mail.sample.ac.uk/undelivered.php?r=BAD_RECIPIENT&e=YXBwMDlAYWJlci5hYy51aw==', NOT_FOUND),
  reply(BOUNCEPARSER_SENDMAIL, 'Gmail (2008)', 'rcpt', 550, '5.7.1', 'No such user c18si2365148hub', NOT_FOUND,
    { note: 'contradictory code: Gmail once sent 5.7.1 with "No such user"; the words win' }),
  reply(BOUNCEPARSER_SENDMAIL, 'Hotmail', 'rcpt', 550, null, 'Requested action not taken: mailbox unavailable', NOT_FOUND),

  // ---- Postfix, postgrey --------------------------------------------------------------------
  reply(BOUNCEPARSER_SENDMAIL, 'Postfix', 'rcpt', 550, '5.1.1', '<recipient@example.net>: Recipient address rejected: User unknown in local recipient table', NOT_FOUND),
  reply(SMTP_CODES(550), 'Postfix (Infomaniak)', 'rcpt', 550, '5.1.1', 'Recipient address rejected: User unknown in virtual mailbox table,', NOT_FOUND),
  reply(SMTP_CODES(550), 'Postfix (Proofpoint relay)', 'rcpt', 550, '5.1.1',
    '<email@example.com>: Recipient address rejected: undeliverable address: host example.com[x.xx.xx.xx] said: 550 5.1.1 <email@example.com>: Recipient address rejected: user unknown', NOT_FOUND),
  reply('https://github.com/anonaddy/anonaddy/issues/866', 'Postfix policy service', 'rcpt', 550, '5.1.1', 'Address does not exist', NOT_FOUND),
  reply(POSTFIX_CHECK, 'Postfix', 'rcpt', 450, '4.7.1', 'Client host rejected: cannot find your reverse hostname, [192.0.2.25]', BLOCKED),
  reply(SMTP_CODES(554), 'Postfix (Infomaniak)', 'rcpt', 554, '5.7.1', 'Relay access denied', BLOCKED),
  reply(SMTP_CODES(450), 'Postfix (Infomaniak)', 'rcpt', 450, '4.1.8', 'Sender address rejected: Domain not found (in reply to RCPT TO command))', BLOCKED),
  reply(SMTP_CODES(554), 'Postfix (Rackspace)', 'rcpt', 554, '5.7.1',
    'ACL dns_rbl; Client host {IP} blocked using Spamhaus XBL. Please visit Spamhaus for more information on why this message could not be delivered (G31)', BLOCKED),
  reply('https://github.com/testssl/testssl.sh/issues/2089', 'Postfix', 'banner', 421, '4.7.0', 'is-comm2.is-ol.de Error: too many connections from [my_server_ip]', RATE),
  reply(POSTFIX_SMTPD, 'Postfix', 'rcpt', 421, '4.7.0', 'mx.example.com Error: too many errors', RATE,
    { note: 'smtpd_hard_error_limit: a limit on our session, not an answer about this recipient' }),
  reply(`schweikert/postgrey postgrey (default greylist text); ${SERVER_ACCEPTS_EMAIL}`, 'Postfix + postgrey', 'rcpt', 450, '4.2.0',
    '<schaefer@alphanet.ch>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/alphanet.ch.html', GREY,
    { retryAfterMs: 300_000, note: 'postgrey\'s default delay is 300 s' }),

  // ---- Exim, qmail and other MTAs' wordings --------------------------------------------------------
  reply('https://github.com/kamilc/email_verifier/issues/15', 'Exim', 'banner', 421, null, 'Too many concurrent SMTP connections from this IP address; please try again later.', RATE),
  reply('https://github.com/PHPMailer/PHPMailer/issues/2070', 'Exim', 'banner', 421, null, 'Too many concurrent SMTP connections; please try again later.', RATE),
  reply(SITEPACKAGE, 'WEB.DE', 'rcpt', 550, null, 'Unknown local part %alias% in', NOT_FOUND),
  reply(SITEPACKAGE, 'CompuServe', 'rcpt', 550, '5.1.1', '... Mailbox not found', NOT_FOUND),
  reply(SITEPACKAGE, 'qmail wording', 'rcpt', 554, null, 'Sorry, no mailbox here by that name. (#5.1.1)', NOT_FOUND),
  reply(SITEPACKAGE, 'generic', 'rcpt', 550, '5.2.0', 'No such mailbox', NOT_FOUND),
  reply(SITEPACKAGE, 'generic', 'rcpt', 550, '5.7.1', 'Requested action not taken: message refused', BLOCKED),
  reply(SITEPACKAGE, 'Postfix', 'rcpt', 550, '5.1.1', ': Recipient address rejected: User unknown in virtual alias table', NOT_FOUND),
];
