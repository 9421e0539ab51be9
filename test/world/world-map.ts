// The ONE place that says which made-up domain is served how in the test world.
//
// Everything here lives inside a loopback-only network namespace: dnsmasq answers on
// 127.0.0.1:5353, Postfix and the fakes listen on 127.0.0.x / 127.0.1.x / ::1, port 25.
// Names under .test that are not listed are NXDOMAIN. Nothing here may point outside loopback.

import type { FakeBehaviour } from './fake-smtp.js';

/** DNS data for one mail domain. */
type DomainDns =
  | { kind: 'mx'; mx: Array<{ exchange: string; priority: number }> }
  /** RFC 7505 null MX ("0 ."). */
  | { kind: 'null-mx' }
  /** No MX; the domain itself has A/AAAA records (implicit MX, RFC 5321 5.1). */
  | { kind: 'a-only'; ipv4?: string[]; ipv6?: string[] }
  /** The name exists (a TXT record) but has no MX and no A/AAAA. */
  | { kind: 'txt-only'; txt: string }
  /** Every query for the zone gets SERVFAIL (forwarded to a tiny responder that only says
   *  SERVFAIL: dnsmasq never answers at all for a zone forwarded to a closed port). */
  | { kind: 'servfail' }
  /** Every query for the zone goes unanswered (forwarded to a closed port): client timeout. */
  | { kind: 'timeout' };

export interface WorldDomain {
  name: string;
  /** What the domain is for in tests. */
  note: string;
  dns: DomainDns;
}

/** What runs on a loopback address. */
type WorldServerRun =
  | { kind: 'postfix' }
  | { kind: 'fake'; behaviour: FakeBehaviour }
  /** The second Postfix, with Postfix's stock error handling (started once per run, like the rest of the daemons). */
  | { kind: 'postfix-stock' }
  /** Exim 4.96 from Debian. */
  | { kind: 'exim' }
  /** Nothing listens: connections get ECONNREFUSED. */
  | { kind: 'nothing' };

export interface WorldServer {
  /** Stable id used for World.fakes[id]; also the banner name. */
  id: string;
  /** Host names whose A (IPv4 ip) or AAAA (IPv6 ip) record points here. */
  names: string[];
  ip: string;
  port: number;
  note: string;
  run: WorldServerRun;
}

const DNS_SERVER = { host: '127.0.0.1', port: 5353 } as const;

/** The real Postfix: which domains it hosts and which mailboxes exist there. */
const POSTFIX = {
  domains: ['acme.test', 'aonly.test'],
  mailboxes: ['alice@acme.test', 'bob@acme.test', 'info@acme.test', 'carol@aonly.test'],
} as const;

/** The second, stock Postfix: nothing configured but its mailboxes (error sleep 1 s, soft error
 *  limit 10, hard error limit 20 are Postfix's defaults). */
const STOCK_POSTFIX = {
  domains: ['stock.test'],
  mailboxes: ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'].map((name) => `${name}@stock.test`),
} as const;

/** The real Exim: its domain and the mailboxes that exist there. */
const EXIM = {
  domains: ['exim.test'],
  mailboxes: ['ann', 'ben', 'cleo', 'dan', 'eve', 'fay', 'gus', 'hal'].map((name) => `${name}@exim.test`),
} as const;

const DOMAINS: WorldDomain[] = [
  {
    name: 'acme.test',
    note: 'normal domain, two MX on Postfix; alice@, bob@ and info@ exist',
    dns: {
      kind: 'mx',
      mx: [
        { exchange: 'mx1.acme.test', priority: 10 },
        { exchange: 'mx2.acme.test', priority: 20 },
      ],
    },
  },
  {
    name: 'aonly.test',
    note: 'no MX, A record only (implicit MX) on Postfix; carol@ exists',
    dns: { kind: 'a-only', ipv4: ['127.0.0.4'] },
  },
  { name: 'nullmx.test', note: 'null MX: accepts no mail', dns: { kind: 'null-mx' } },
  {
    name: 'nomail.test',
    note: 'exists (TXT only) but has no MX and no A/AAAA',
    dns: { kind: 'txt-only', txt: 'v=spf1 -all' },
  },
  { name: 'broken.test', note: 'SERVFAIL for every query', dns: { kind: 'servfail' } },
  { name: 'dnstimeout.test', note: 'no DNS answer at all (resolver timeout)', dns: { kind: 'timeout' } },
  { name: 'catchall.test', note: 'accepts every recipient', dns: mx('mx.catchall.test') },
  {
    name: 'greylist.test',
    note: '450 4.7.1 on the first RCPT per recipient, OK 2 s later; gina@ exists',
    dns: mx('mx.greylist.test'),
  },
  { name: 'blocked.test', note: 'Spamhaus-style 554 5.7.1 at RCPT', dns: mx('mx.blocked.test') },
  {
    name: 'bannerfail.test',
    note: 'MX1 (pref 10) 554 at banner, MX2 (pref 20) healthy; dave@ exists',
    dns: {
      kind: 'mx',
      mx: [
        { exchange: 'mx1.bannerfail.test', priority: 10 },
        { exchange: 'mx2.bannerfail.test', priority: 20 },
      ],
    },
  },
  {
    name: 'busy.test',
    note: 'MX1 (pref 10) 421 at banner, MX2 (pref 20) healthy; erin@ exists',
    dns: {
      kind: 'mx',
      mx: [
        { exchange: 'mx1.busy.test', priority: 10 },
        { exchange: 'mx2.busy.test', priority: 20 },
      ],
    },
  },
  { name: 'refused.test', note: 'MX host IP where nothing listens: ECONNREFUSED', dns: mx('mx.refused.test') },
  { name: 'tarpit.test', note: 'accepts TCP, never says anything', dns: mx('mx.tarpit.test') },
  { name: 'tlsonly.test', note: '530 5.7.0 at MAIL/RCPT until STARTTLS; tina@ exists', dns: mx('mx.tlsonly.test') },
  { name: 'noehlo.test', note: 'EHLO gets 500, HELO works; nora@ exists', dns: mx('mx.noehlo.test') },
  {
    name: 'limited.test',
    note: '452 4.5.3 from the 3rd RCPT in a transaction; lee@, lou@, lynn@ exist',
    dns: mx('mx.limited.test'),
  },
  { name: 'garbage.test', note: '"hello world" instead of a banner and of every reply', dns: mx('mx.garbage.test') },
  { name: 'endless.test', note: 'a 1 MiB banner line without CRLF, then silence', dns: mx('mx.endless.test') },
  {
    name: 'multiline.test',
    note: 'multi-line replies everywhere, written 1 byte at a time; mia@ exists',
    dns: mx('mx.multiline.test'),
  },
  { name: 'ipv6.test', note: 'MX host with an AAAA (::1) only; ivy@ exists', dns: mx('mx.ipv6.test') },
  {
    name: 'dangling.test',
    note: 'MX points at a host name that does not exist (NXDOMAIN)',
    dns: mx('mx.nowhere.test'),
  },
  ...[1, 2, 3, 4].map((n) => ({
    name: `shared${n}.test`,
    note: 'one of four domains whose MX is the slow multiline fake (per-MX connection limit)',
    dns: mx('mx.multiline.test'),
  })),
  // --- engine: servers that cut sessions, limit errors, or send replies that match no command ---
  ...Array.from({ length: 30 }, (_, i) => ({
    name: `sharedmx${i + 1}.test`,
    note: 'one of 30 domains on one far-away MX (150 ms per round trip); info@ exists at each',
    dns: mx('mx.sharedmx.test'),
  })),
  { name: 'drip.test', note: 'every round trip takes 600 ms; ann@ exists', dns: mx('mx.drip.test') },
  {
    name: 'errorlimits.test',
    note: 'stock Postfix limits: replies 1 s slower from 10 errors on, 421 at 20; ann@, ben@, cat@ exist',
    dns: mx('mx.errorlimits.test'),
  },
  {
    name: 'hangup.test',
    note: 'hangs up with 421 "too many errors" after 5 errors; ann@, ben@ exist',
    dns: mx('mx.hangup.test'),
  },
  { name: 'cut421.test', note: 'first session: 421 after 4 RCPT replies; ann@, ben@ exist', dns: mx('mx.cut421.test') },
  {
    name: 'cutreset.test',
    note: 'first session: TCP reset after 4 RCPT replies; ann@, ben@ exist',
    dns: mx('mx.cutreset.test'),
  },
  {
    name: 'cutsilent.test',
    note: 'first session: silence after 4 RCPT replies; ann@, ben@ exist',
    dns: mx('mx.cutsilent.test'),
  },
  {
    name: 'cuttls.test',
    note: 'first session (STARTTLS): a broken TLS record after 4 RCPT replies; ann@, ben@ exist',
    dns: mx('mx.cuttls.test'),
  },
  { name: 'doublemail.test', note: 'two replies to MAIL FROM; ann@ exists', dns: mx('mx.doublemail.test') },
  {
    name: 'earlyreply.test',
    note: 'an unasked 250 right after the EHLO reply; ann@ exists',
    dns: mx('mx.earlyreply.test'),
  },
  { name: 'twogreetings.test', note: 'the 220 greeting twice; ann@ exists', dns: mx('mx.twogreetings.test') },
  {
    name: 'badpipe.test',
    note: 'an extra reply whenever commands come pipelined; fine one at a time; ann@ exists',
    dns: mx('mx.badpipe.test'),
  },
  { name: 'wrongcode.test', note: '354 to every RCPT after the first; ann@ exists', dns: mx('mx.wrongcode.test') },
  {
    name: 'mailinator.com',
    note: 'a real disposable-mail name, answered only by our dnsmasq; temp@ exists',
    dns: mx('mx.mailinator.com'),
  },
  {
    name: 'stock.test',
    note: 'stock Postfix (default error limits and error sleep); 8 mailboxes exist (STOCK_POSTFIX)',
    dns: mx('mx.stock.test'),
  },
  { name: 'exim.test', note: 'Exim 4.96 with its default limits; 8 mailboxes exist (EXIM)', dns: mx('mx.exim.test') },
];

const SERVERS: WorldServer[] = [
  {
    id: 'mx1.acme.test',
    names: ['mx1.acme.test'],
    ip: '127.0.0.2',
    port: 25,
    note: 'Postfix listener 1',
    run: { kind: 'postfix' },
  },
  {
    id: 'mx2.acme.test',
    names: ['mx2.acme.test'],
    ip: '127.0.0.3',
    port: 25,
    note: 'Postfix listener 2',
    run: { kind: 'postfix' },
  },
  {
    id: 'aonly.test',
    names: ['aonly.test'],
    ip: '127.0.0.4',
    port: 25,
    note: 'Postfix listener 3 (implicit MX)',
    run: { kind: 'postfix' },
  },
  fake('mx.catchall.test', '127.0.1.1', 'catch-all', { kind: 'catch-all' }),
  fake('mx.greylist.test', '127.0.1.2', 'greylisting, 2 s', {
    kind: 'greylist',
    delayMs: 2000,
    mailboxes: ['gina@greylist.test'],
  }),
  fake('mx.blocked.test', '127.0.1.3', 'blocklisted client', { kind: 'blocklisted' }),
  fake('mx1.bannerfail.test', '127.0.1.4', '554 banner, then close', { kind: 'banner-reject', code: 554 }),
  fake('mx2.bannerfail.test', '127.0.1.5', 'healthy backup', {
    kind: 'mailboxes',
    mailboxes: ['dave@bannerfail.test'],
  }),
  fake('mx1.busy.test', '127.0.1.6', '421 banner, then close', { kind: 'banner-reject', code: 421 }),
  fake('mx2.busy.test', '127.0.1.7', 'healthy backup', { kind: 'mailboxes', mailboxes: ['erin@busy.test'] }),
  {
    id: 'mx.refused.test',
    names: ['mx.refused.test'],
    ip: '127.0.1.8',
    port: 25,
    note: 'nothing listens',
    run: { kind: 'nothing' },
  },
  fake('mx.tarpit.test', '127.0.1.9', 'tarpit', { kind: 'tarpit' }),
  fake('mx.tlsonly.test', '127.0.1.10', 'STARTTLS required', {
    kind: 'starttls-required',
    mailboxes: ['tina@tlsonly.test'],
  }),
  fake('mx.noehlo.test', '127.0.1.11', 'EHLO refused, HELO ok', {
    kind: 'ehlo-refused',
    mailboxes: ['nora@noehlo.test'],
  }),
  fake('mx.limited.test', '127.0.1.12', '2 recipients per transaction', {
    kind: 'recipient-limit',
    perTransaction: 2,
    mailboxes: ['lee@limited.test', 'lou@limited.test', 'lynn@limited.test'],
  }),
  fake('mx.garbage.test', '127.0.1.13', 'garbage text', { kind: 'garbage', variant: 'text' }),
  fake('mx.endless.test', '127.0.1.14', '1 MiB line', { kind: 'garbage', variant: 'endless-line' }),
  fake('mx.multiline.test', '127.0.1.15', 'multi-line, 1-byte writes', {
    kind: 'multiline',
    mailboxes: ['mia@multiline.test'],
  }),
  fake('mx.mailinator.com', '127.0.1.16', 'disposable; temp@ exists', {
    kind: 'mailboxes',
    mailboxes: ['temp@mailinator.com'],
  }),
  fake('mx.ipv6.test', '::1', 'IPv6 only', { kind: 'mailboxes', mailboxes: ['ivy@ipv6.test'] }),
  {
    id: 'mx.stock.test',
    names: ['mx.stock.test'],
    ip: '127.0.0.5',
    port: 25,
    note: 'stock Postfix (own instance)',
    run: { kind: 'postfix-stock' },
  },
  { id: 'mx.exim.test', names: ['mx.exim.test'], ip: '127.0.0.6', port: 25, note: 'Exim 4.96', run: { kind: 'exim' } },
  // --- engine ---
  fake('mx.sharedmx.test', '127.0.2.1', '30 domains, 150 ms per round trip', {
    kind: 'strict-mta',
    replyDelayMs: 150,
    mailboxes: Array.from({ length: 30 }, (_, i) => `info@sharedmx${i + 1}.test`),
  }),
  fake('mx.drip.test', '127.0.2.13', '600 ms per round trip', {
    kind: 'strict-mta',
    replyDelayMs: 600,
    mailboxes: ['ann@drip.test'],
  }),
  fake('mx.errorlimits.test', '127.0.2.2', 'stock Postfix error limits', {
    kind: 'strict-mta',
    softErrorLimit: 10,
    errorSleepMs: 1000,
    hardErrorLimit: 20,
    mailboxes: ['ann@errorlimits.test', 'ben@errorlimits.test', 'cat@errorlimits.test'],
  }),
  fake('mx.hangup.test', '127.0.2.3', '421 after 5 errors', {
    kind: 'strict-mta',
    hardErrorLimit: 5,
    mailboxes: ['ann@hangup.test', 'ben@hangup.test'],
  }),
  ...(
    [
      ['cut421', '421'],
      ['cutreset', 'reset'],
      ['cutsilent', 'silence'],
    ] as const
  ).map(([label, how], i) =>
    fake(`mx.${label}.test`, `127.0.2.${4 + i}`, `first session cut (${how}) after 4 RCPTs`, {
      kind: 'strict-mta',
      cut: { afterRcpts: 4, how, sessions: 1 },
      mailboxes: [`ann@${label}.test`, `ben@${label}.test`],
    }),
  ),
  fake('mx.cuttls.test', '127.0.2.7', 'first session: TLS broken after 4 RCPTs', {
    kind: 'strict-mta',
    starttls: true,
    cut: { afterRcpts: 4, how: 'tls-garbage', sessions: 1 },
    mailboxes: ['ann@cuttls.test', 'ben@cuttls.test'],
  }),
  ...(
    [
      ['doublemail', 'double-mail'],
      ['earlyreply', 'early-reply'],
      ['twogreetings', 'second-greeting'],
      ['badpipe', 'extra-when-pipelined'],
      ['wrongcode', 'wrong-code'],
    ] as const
  ).map(([label, mismatch], i) =>
    fake(`mx.${label}.test`, `127.0.2.${8 + i}`, `replies that match no command (${mismatch})`, {
      kind: 'strict-mta',
      mismatch,
      mailboxes: [`ann@${label}.test`],
    }),
  ),
];

export const WORLD_MAP = {
  dns: DNS_SERVER,
  postfix: POSTFIX,
  domains: DOMAINS,
  servers: SERVERS,
  stockPostfix: STOCK_POSTFIX,
  exim: EXIM,
} as const;
export type WorldMap = typeof WORLD_MAP;

function mx(exchange: string): DomainDns {
  return { kind: 'mx', mx: [{ exchange, priority: 10 }] };
}

function fake(name: string, ip: string, note: string, behaviour: FakeBehaviour): WorldServer {
  return { id: name, names: [name], ip, port: 25, note, run: { kind: 'fake', behaviour } };
}
