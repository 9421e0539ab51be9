import type { SmtpPhase } from '../../native-host/shared/result.js';
import type { Reason } from '../../native-host/shared/verdicts.js';

// Golden corpus for judge.ts: replies in the format real mail servers use, written from
// public knowledge of how each product phrases them (addresses, IPs and host names are
// placeholders). Multi-line replies are joined with "\n", with the code and enhanced code
// already stripped from each line, as smtp/reply-parser.ts hands them over.

export interface GoldenReply {
  /** Who sends this reply (product or provider). */
  source: string;
  phase: SmtpPhase;
  code: number;
  enhanced: string | null;
  message: string;
  expect: Reason;
  /** The delay judgeReply should extract, when the text states one. */
  retryAfterMs?: number;
  /** Why the expectation is what it is, where that is not obvious. */
  note?: string;
}

export const GOLDEN_REPLIES: readonly GoldenReply[] = [
  // ---- Acceptance and protocol oddities ------------------------------------------------
  { source: 'Postfix', phase: 'rcpt', code: 250, enhanced: '2.1.5', message: 'Ok', expect: 'mailbox_exists' },
  {
    source: 'Exchange',
    phase: 'rcpt',
    code: 250,
    enhanced: '2.1.5',
    message: 'Recipient OK',
    expect: 'mailbox_exists',
  },
  {
    source: 'RFC 5321',
    phase: 'rcpt',
    code: 251,
    enhanced: null,
    message: 'User not local; will forward to <someone@example.net>',
    expect: 'mailbox_exists',
  },
  {
    source: 'generic',
    phase: 'rcpt',
    code: 252,
    enhanced: '2.1.5',
    message: 'Cannot VRFY user, but will accept message and attempt delivery',
    expect: 'protocol_error',
    note: '252 is a VRFY answer, not a RCPT one',
  },
  {
    source: 'broken server',
    phase: 'rcpt',
    code: 354,
    enhanced: null,
    message: 'End data with <CR><LF>.<CR><LF>',
    expect: 'protocol_error',
  },
  { source: 'broken server', phase: 'rcpt', code: 600, enhanced: null, message: 'Unknown', expect: 'protocol_error' },
  {
    source: 'Postfix',
    phase: 'rcpt',
    code: 503,
    enhanced: '5.5.1',
    message: 'Error: need MAIL command',
    expect: 'protocol_error',
  },
  {
    source: 'Postfix',
    phase: 'ehlo',
    code: 502,
    enhanced: '5.5.2',
    message: 'Error: command not recognized',
    expect: 'protocol_error',
  },

  // ---- Postfix ---------------------------------------------------------------------------
  {
    source: 'Postfix',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.1.1',
    message: '<nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Postfix',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.1.1',
    message: '<nobody@example.com>: Recipient address rejected: User unknown in local recipient table',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Postfix',
    phase: 'rcpt',
    code: 554,
    enhanced: '5.7.1',
    message: '<nobody@example.com>: Relay access denied',
    expect: 'blocked',
  },
  {
    source: 'Postfix (old, no enhanced codes)',
    phase: 'rcpt',
    code: 554,
    enhanced: null,
    message: '<nobody@example.com>: Relay access denied',
    expect: 'blocked',
    note: '554 with relay words: about our access, not the mailbox',
  },
  {
    source: 'Postfix',
    phase: 'rcpt',
    code: 450,
    enhanced: '4.7.1',
    message: 'Client host rejected: cannot find your reverse hostname, [192.0.2.25]',
    expect: 'blocked',
    note: '4.7.x with block words: waiting will not help',
  },
  {
    source: 'Postfix',
    phase: 'rcpt',
    code: 554,
    enhanced: '5.7.1',
    message:
      'Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.25',
    expect: 'blocked',
  },
  {
    source: 'Postfix',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.1.8',
    message: '<probe@sender.example>: Sender address rejected: Domain not found',
    expect: 'blocked',
    note: 'about our sender, deferred to RCPT by smtpd_delay_reject',
  },
  {
    source: 'Postfix',
    phase: 'rcpt',
    code: 450,
    enhanced: '4.1.8',
    message: '<probe@sender.example>: Sender address rejected: Domain not found',
    expect: 'blocked',
  },
  {
    source: 'Postfix',
    phase: 'rcpt',
    code: 504,
    enhanced: '5.5.2',
    message: '<probe>: Helo command rejected: need fully-qualified hostname',
    expect: 'blocked',
    note: 'a 504, but the words say our HELO name was refused',
  },
  {
    source: 'Postfix access map',
    phase: 'rcpt',
    code: 554,
    enhanced: '5.7.1',
    message: '<nobody@example.com>: Recipient address rejected: Access denied',
    expect: 'blocked',
    note: 'the same words as Microsoft 5.4.1, but with a policy code',
  },
  {
    source: 'Postfix + Postgrey',
    phase: 'rcpt',
    code: 450,
    enhanced: '4.2.0',
    message:
      '<nobody@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html',
    expect: 'greylisted',
    retryAfterMs: 300_000,
    note: 'Postgrey default delay',
  },
  {
    source: 'Postfix + policy server',
    phase: 'rcpt',
    code: 450,
    enhanced: '4.2.0',
    message: '<nobody@example.com>: Recipient address rejected: Greylisted for 120 seconds',
    expect: 'greylisted',
    retryAfterMs: 120_000,
  },
  {
    source: 'Postfix',
    phase: 'banner',
    code: 421,
    enhanced: '4.7.0',
    message: 'mx.example.com Error: too many connections from 192.0.2.25',
    expect: 'rate_limited',
  },
  {
    source: 'Postfix',
    phase: 'rcpt',
    code: 452,
    enhanced: '4.3.1',
    message: 'Insufficient system storage',
    expect: 'greylisted',
    note: 'the server disk, not the mailbox',
  },
  {
    source: 'Postfix',
    phase: 'mail',
    code: 530,
    enhanced: '5.7.0',
    message: 'Must issue a STARTTLS command first',
    expect: 'blocked',
  },
  {
    source: 'Postfix',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'Mail from 192.0.2.25 rejected: listed at RBL',
    expect: 'blocked',
    note: 'no enhanced code, mailbox-class 550, yet a blocklist',
  },

  // ---- Exim / cPanel ---------------------------------------------------------------------
  {
    source: 'Exim',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'Unrouteable address',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Exim (cPanel)',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'No Such User Here',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Exim',
    phase: 'rcpt',
    code: 451,
    enhanced: null,
    message: 'Temporary local problem - please try later',
    expect: 'greylisted',
  },
  {
    source: 'Exim sender callout',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'Verification failed for <probe@sender.example>\nUnrouteable address\nSender verify failed',
    expect: 'blocked',
    note: '"Unrouteable address" here is about our sender',
  },
  {
    source: 'Exim',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'Administrative prohibition',
    expect: 'blocked',
  },
  {
    source: 'Exim greylistd',
    phase: 'rcpt',
    code: 451,
    enhanced: null,
    message: 'Please try again later (greylisted)',
    expect: 'greylisted',
  },

  // ---- Gmail -----------------------------------------------------------------------------
  {
    source: 'Gmail',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.1.1',
    expect: 'mailbox_not_found',
    message:
      "The email account that you tried to reach does not exist. Please try\ndouble-checking the recipient's email address for typos or\nunnecessary spaces. For more information, go to\n https://support.google.com/mail/?p=NoSuchUser a1b2c3 - gsmtp",
  },
  {
    source: 'Gmail',
    phase: 'rcpt',
    code: 450,
    enhanced: '4.2.1',
    expect: 'rate_limited',
    message:
      'The user you are trying to contact is receiving mail too quickly. Please resend\nyour message at a later time. If the user is able to receive mail at that\ntime, your message will be delivered. For more information, go to\n https://support.google.com/mail/?p=ReceivingRate a1b2c3 - gsmtp',
    note: '4.2.1 is temporary: not mailbox_disabled',
  },
  {
    source: 'Gmail',
    phase: 'rcpt',
    code: 452,
    enhanced: '4.2.2',
    expect: 'mailbox_full',
    message:
      'The email account that you tried to reach is over quota. Please direct\nthe recipient to\n https://support.google.com/mail/?p=OverQuotaTemp a1b2c3 - gsmtp',
  },
  {
    source: 'Gmail',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.7.1',
    expect: 'blocked',
    message:
      '[192.0.2.25] Our system has detected that this message is\nlikely suspicious due to the very low reputation of the sending IP address.\nTo best protect our users from spam, the message has been blocked.\nPlease visit https://support.google.com/mail/answer/188131 for more information. a1b2c3 - gsmtp',
  },
  {
    source: 'Gmail',
    phase: 'banner',
    code: 421,
    enhanced: '4.7.0',
    expect: 'rate_limited',
    message:
      '[192.0.2.25 15] Our system has detected an unusual rate of\nunsolicited mail originating from your IP address. To protect our\nusers from spam, mail sent from your IP address has been temporarily\nrate limited. Please visit\n https://support.google.com/mail/?p=UnsolicitedRateLimitError to\nreview our Bulk Email Senders Guidelines. a1b2c3 - gsmtp',
    note: 'says "rate limited" outright: the delay words outrank the spam words',
  },
  {
    source: 'Gmail',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.2.1',
    message:
      'The email account that you tried to reach is disabled. Learn more at\n https://support.google.com/mail/?p=DisabledUser a1b2c3 - gsmtp',
    expect: 'mailbox_disabled',
  },
  {
    source: 'Gmail',
    phase: 'rcpt',
    code: 452,
    enhanced: '4.5.3',
    message:
      "Your message has too many recipients. For more information regarding\n Google's sending limits, visit https://support.google.com/mail/?p=TooManyRecipientsError a1b2c3 - gsmtp",
    expect: 'rate_limited',
  },
  {
    source: 'Gmail',
    phase: 'mail',
    code: 421,
    enhanced: '4.3.0',
    message: 'Temporary System Problem.  Try again later (10). a1b2c3 - gsmtp',
    expect: 'rate_limited',
  },

  // ---- Microsoft 365 / Outlook.com -------------------------------------------------------
  {
    source: 'Outlook.com',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.5.0',
    message:
      'Requested action not taken: mailbox unavailable (S2017062302). [DM6NAM10FT012.eop-nam10.prod.protection.outlook.com]',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Microsoft 365',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.4.1',
    message:
      'Recipient address rejected: Access denied. AS(201806281) [SN1NAM02FT034.eop-nam02.prod.protection.outlook.com]',
    expect: 'mailbox_not_found',
    note: 'directory-based edge blocking: no such recipient',
  },
  {
    source: 'Microsoft 365',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.1.10',
    message: 'RESOLVER.ADR.RecipientNotFound; Recipient nobody@example.com not found by SMTP address lookup',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Microsoft 365',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.7.1',
    message:
      'Service unavailable, Client host [192.0.2.25] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/192.0.2.25 (AS3130). [BN8NAM11FT044.eop-nam11.prod.protection.outlook.com]',
    expect: 'blocked',
  },
  {
    source: 'Outlook.com',
    phase: 'banner',
    code: 421,
    enhanced: '4.7.66',
    message: 'Service not available: this server is not accepting email from this IP at this time; try again later',
    expect: 'blocked',
    note: 'a 421, but it names our IP as the cause',
  },
  {
    source: 'Microsoft 365',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.7.606',
    message:
      'Access denied, banned sending IP [192.0.2.25]. To request removal from this list please visit https://sender.office.com/ and follow the directions. AS(1430)',
    expect: 'blocked',
  },
  {
    source: 'Microsoft 365',
    phase: 'rcpt',
    code: 451,
    enhanced: '4.7.500',
    message:
      'Server busy. Please try again later from [192.0.2.25]. (AS750) [DM3NAM02FT012.eop-nam02.prod.protection.outlook.com]',
    expect: 'greylisted',
  },
  {
    source: 'Outlook.com',
    phase: 'banner',
    code: 421,
    enhanced: '4.7.650',
    message:
      'The mail server [192.0.2.25] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)',
    expect: 'rate_limited',
  },
  {
    source: 'Microsoft 365',
    phase: 'rcpt',
    code: 452,
    enhanced: '4.5.3',
    message: 'Too many recipients',
    expect: 'rate_limited',
  },

  // ---- Yahoo / AOL -----------------------------------------------------------------------
  {
    source: 'Yahoo',
    phase: 'rcpt',
    code: 554,
    enhanced: null,
    message:
      "delivery error: dd This user doesn't have a yahoo.com account (nobody@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com",
    expect: 'mailbox_not_found',
  },
  {
    source: 'Yahoo',
    phase: 'rcpt',
    code: 554,
    enhanced: null,
    message:
      'delivery error: dd Sorry your message to nobody@yahoo.com cannot be delivered. This mailbox is disabled (554.30). - mta1234.mail.gq1.yahoo.com',
    expect: 'mailbox_disabled',
  },
  {
    source: 'Yahoo',
    phase: 'banner',
    code: 421,
    enhanced: '4.7.0',
    message:
      '[TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes',
    expect: 'rate_limited',
  },
  {
    source: 'Yahoo',
    phase: 'banner',
    code: 553,
    enhanced: '5.7.1',
    message:
      "[BL21] Connections will not be accepted from 192.0.2.25, because the ip is in Spamhaus's list; see https://postmaster.yahooinc.com/error-codes",
    expect: 'blocked',
  },

  // ---- Proofpoint ------------------------------------------------------------------------
  {
    source: 'Proofpoint',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.1.1',
    message: 'User Unknown',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Proofpoint',
    phase: 'banner',
    code: 554,
    enhanced: '5.7.1',
    message: 'Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.25',
    expect: 'blocked',
  },

  // ---- Mimecast --------------------------------------------------------------------------
  {
    source: 'Mimecast',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Mimecast',
    phase: 'mail',
    code: 550,
    enhanced: null,
    message:
      'Rejected by header based Anti-Spoofing policy: nobody@example.com - https://community.mimecast.com/docs/DOC-1369#550',
    expect: 'blocked',
  },
  {
    source: 'Mimecast',
    phase: 'rcpt',
    code: 451,
    enhanced: null,
    message: 'Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451',
    expect: 'greylisted',
  },
  {
    source: 'Mimecast',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'Administrative prohibition - envelope blocked - https://community.mimecast.com/docs/DOC-1369#550',
    expect: 'blocked',
  },

  // ---- Banner refusals -------------------------------------------------------------------
  {
    source: 'Postfix postscreen',
    phase: 'banner',
    code: 554,
    enhanced: '5.7.1',
    message: 'Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org',
    expect: 'blocked',
  },
  {
    source: 'Symantec / IronPort',
    phase: 'banner',
    code: 554,
    enhanced: null,
    message:
      "Your access to this mail system has been rejected due to the sending MTA's poor reputation. If you believe that this failure is in error, please contact the intended recipient via alternate means.",
    expect: 'blocked',
  },
  { source: 'generic', phase: 'banner', code: 554, enhanced: null, message: 'No SMTP service here', expect: 'blocked' },
  {
    source: 'generic',
    phase: 'banner',
    code: 421,
    enhanced: null,
    message: 'Service not available, closing transmission channel',
    expect: 'rate_limited',
  },
  { source: 'Sendmail', phase: 'banner', code: 550, enhanced: '5.0.0', message: 'Access denied', expect: 'blocked' },

  // ---- Greylisting -----------------------------------------------------------------------
  {
    source: 'milter-greylist',
    phase: 'rcpt',
    code: 451,
    enhanced: '4.7.1',
    message: 'Greylisting in action, please come back later',
    expect: 'greylisted',
  },
  {
    source: 'milter-greylist',
    phase: 'rcpt',
    code: 451,
    enhanced: '4.7.1',
    message: 'Greylisting in action, please come back in 00:05:00',
    expect: 'greylisted',
    retryAfterMs: 300_000,
  },
  {
    source: 'sqlgrey',
    phase: 'rcpt',
    code: 450,
    enhanced: '4.7.1',
    message: 'Greylisted, please try again in 5 minutes',
    expect: 'greylisted',
    retryAfterMs: 300_000,
  },
  {
    source: 'generic',
    phase: 'rcpt',
    code: 450,
    enhanced: '4.7.1',
    message: 'Temporarily deferred, please retry in 300 seconds',
    expect: 'greylisted',
    retryAfterMs: 300_000,
  },
  {
    source: 'generic',
    phase: 'rcpt',
    code: 421,
    enhanced: '4.7.0',
    message: 'Too many concurrent SMTP connections; wait 60 s and try again',
    expect: 'rate_limited',
    retryAfterMs: 60_000,
  },

  // ---- Zoho ------------------------------------------------------------------------------
  {
    source: 'Zoho',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.1.1',
    message: 'User does not exist - nobody@zoho.com',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Zoho',
    phase: 'rcpt',
    code: 554,
    enhanced: '5.4.6',
    message: 'Unusual sending activity detected. Please try after sometime.',
    expect: 'blocked',
  },

  // ---- Fastmail --------------------------------------------------------------------------
  {
    source: 'Fastmail',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.1.1',
    message: '<nobody@fastmail.com>: Recipient address rejected: User does not exist',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Fastmail',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: '<nobody@fastmail.com>: Recipient address rejected: This account is disabled',
    expect: 'mailbox_disabled',
  },

  // ---- iCloud ----------------------------------------------------------------------------
  {
    source: 'iCloud',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.1.1',
    message: '<nobody@icloud.com>: user does not exist',
    expect: 'mailbox_not_found',
  },
  {
    source: 'iCloud',
    phase: 'rcpt',
    code: 552,
    enhanced: '5.2.2',
    message: '<nobody@icloud.com>: user is over quota',
    expect: 'mailbox_full',
  },
  {
    source: 'iCloud',
    phase: 'rcpt',
    code: 554,
    enhanced: '5.7.1',
    message: '[CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137',
    expect: 'blocked',
  },

  // ---- Yandex ----------------------------------------------------------------------------
  {
    source: 'Yandex',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.7.1',
    message: 'No such user!',
    expect: 'mailbox_not_found',
    note: 'Yandex puts "no such user" behind a policy code; the words name the mailbox state and win over the code',
  },
  {
    source: 'Yandex',
    phase: 'rcpt',
    code: 451,
    enhanced: '4.7.1',
    message: 'Sorry, the service is currently unavailable. Please come back later.',
    expect: 'greylisted',
  },

  // ---- Mail.ru ---------------------------------------------------------------------------
  {
    source: 'Mail.ru',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message:
      'Message was not accepted -- invalid mailbox.  Local mailbox nobody@mail.ru is unavailable: user not found',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Mail.ru',
    phase: 'rcpt',
    code: 450,
    enhanced: null,
    message: 'Requested mail action not taken: mailbox unavailable',
    expect: 'greylisted',
    note: 'temporary: never undeliverable',
  },

  // ---- QQ --------------------------------------------------------------------------------
  {
    source: 'QQ Mail',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'Mailbox not found. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728',
    expect: 'mailbox_not_found',
  },
  {
    source: 'QQ Mail',
    phase: 'banner',
    code: 550,
    enhanced: null,
    message: 'Ip frequency limited. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000725',
    expect: 'rate_limited',
  },

  // ---- Barracuda -------------------------------------------------------------------------
  {
    source: 'Barracuda',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'permanent failure for one or more recipients (nobody@example.com:blocked)',
    expect: 'blocked',
  },
  {
    source: 'Barracuda',
    phase: 'banner',
    code: 554,
    enhanced: null,
    message:
      'Service unavailable; Client host [192.0.2.25] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?r=1&ip=192.0.2.25',
    expect: 'blocked',
  },

  // ---- Cisco IronPort --------------------------------------------------------------------
  {
    source: 'Cisco IronPort',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: '#5.1.0 Address rejected nobody@example.com',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Cisco IronPort',
    phase: 'rcpt',
    code: 452,
    enhanced: null,
    message: 'Too many recipients received this hour',
    expect: 'rate_limited',
  },

  // ---- qmail, Domino, Sendmail, others ---------------------------------------------------
  {
    source: 'qmail',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'sorry, no mailbox here by that name. (#5.1.1)',
    expect: 'mailbox_not_found',
  },
  {
    source: 'qmail',
    phase: 'rcpt',
    code: 553,
    enhanced: null,
    message: "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
    expect: 'blocked',
    note: 'a relay refusal behind the mailbox-class 553',
  },
  {
    source: 'HCL Domino',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.0.0',
    message: 'nobody@example.com... User not listed in public Name & Address Book',
    expect: 'mailbox_not_found',
    note: '"not listed" is not a blocklist',
  },
  {
    source: 'Sendmail',
    phase: 'rcpt',
    code: 551,
    enhanced: '5.1.6',
    message: 'User has moved; please try <nobody@example.net>',
    expect: 'mailbox_not_found',
  },
  {
    source: 'RFC 5321',
    phase: 'rcpt',
    code: 551,
    enhanced: null,
    message: 'User not local; please try <nobody@example.net>',
    expect: 'mailbox_not_found',
  },
  {
    source: 'Sendmail',
    phase: 'rcpt',
    code: 553,
    enhanced: '5.1.3',
    message: '<nobody@@example.com>... Invalid recipient address syntax',
    expect: 'mailbox_not_found',
  },
  {
    source: 'RFC 5321',
    phase: 'rcpt',
    code: 552,
    enhanced: null,
    message: 'Requested mail action aborted: exceeded storage allocation',
    expect: 'mailbox_full',
  },
  { source: 'Dovecot LMTP', phase: 'rcpt', code: 452, enhanced: null, message: 'Mailbox full', expect: 'mailbox_full' },
  {
    source: 'Courier',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.2.1',
    message: 'Mailbox disabled, not accepting messages',
    expect: 'mailbox_disabled',
  },
  {
    source: 'generic',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'This account has been suspended',
    expect: 'mailbox_disabled',
  },
  {
    source: 'generic',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.0.0',
    message: 'Recipient rejected',
    expect: 'mailbox_not_found',
    note: 'weak evidence: names the recipient, no other cause',
  },
  {
    source: 'generic',
    phase: 'rcpt',
    code: 550,
    enhanced: '5.0.0',
    message: 'Rejected',
    expect: 'blocked',
    note: 'no evidence about the mailbox: unknown, not undeliverable',
  },
  { source: 'generic', phase: 'rcpt', code: 554, enhanced: null, message: 'Transaction failed', expect: 'blocked' },
  {
    source: 'generic',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'Reverse DNS lookup failed for host 192.0.2.25',
    expect: 'blocked',
  },
  {
    source: 'generic',
    phase: 'rcpt',
    code: 554,
    enhanced: null,
    message: "Your IP is a dynamic address; please send through your provider's relay",
    expect: 'blocked',
  },
  {
    source: 'generic',
    phase: 'rcpt',
    code: 550,
    enhanced: null,
    message: 'Sender domain does not exist',
    expect: 'blocked',
    note: '"does not exist" about our sender domain',
  },
  {
    source: 'Gmail',
    phase: 'mail',
    code: 550,
    enhanced: '5.7.26',
    message: "Unauthenticated email from sender.example is not accepted due to domain's\nDMARC policy. a1b2c3 - gsmtp",
    expect: 'blocked',
  },
  {
    source: 'generic',
    phase: 'mail',
    code: 550,
    enhanced: '5.1.1',
    message: 'User unknown',
    expect: 'blocked',
    note: 'a mailbox code before RCPT cannot be about the recipient',
  },
  {
    source: 'Postfix',
    phase: 'helo',
    code: 550,
    enhanced: null,
    message: 'Hostname is not acceptable',
    expect: 'blocked',
  },
  {
    source: 'generic',
    phase: 'starttls',
    code: 454,
    enhanced: '4.7.0',
    message: 'TLS not available due to local problem',
    expect: 'greylisted',
  },
];
