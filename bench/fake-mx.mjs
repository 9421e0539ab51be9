// A fake mail server that models network latency: everything it sends (banner, replies, and the
// TLS handshake after STARTTLS) reaches the client `delayMs` later, so each round trip costs
// `delayMs`, as on a real network (tc netem is not available; the delay lives here instead).
// Commands are processed the moment they arrive; only the bytes going back are held.
//
// One fake per mail domain, on port 25 of its own loopback address. Per run it is configured
// with the mailboxes that exist and the server's manners:
//   pipelining  offer PIPELINING in EHLO (commands that arrive together are answered anyway)
//   starttls    offer STARTTLS (self-signed certificate)
//   strict      stock Postfix's smtpd_hard_error_limit: after 20 error replies in a session,
//               `421 4.7.0 ... Error: too many errors` and the connection is closed (Postfix's
//               soft limit, a 1 s sleep before each error reply past 10, is not modelled)
//   rcptPerSecondPerSource   (optional) a provider's per-IP rate: RCPT replies to one client
//               address, over all the fakes of this process, at most this many per second; a
//               reply past the rate is held until its slot (a throttling server, not a refusing one)
// It counts connections, the most sessions open at once, and commands.

import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';

const MAX_LINE = 4096;
export const HARD_ERROR_LIMIT = 20;

export function emptyStats() {
  return {
    connections: 0,
    maxConcurrent: 0,
    ehlo: 0,
    helo: 0,
    starttls: 0,
    mail: 0,
    rcpt: 0,
    rset: 0,
    quit: 0,
    other: 0,
    errorLimitHangups: 0,
  };
}

/**
 * Starts one fake on `host:port`. `config` is read at every connection (change it between runs):
 * { delayMs, pipelining, starttls, strict, mailboxes: Set<lowercased address> }.
 */
export function startFakeMx({ host, port = 25, name, secureContext, config }) {
  let stats = emptyStats();
  let open = 0;
  const sockets = new Set();
  let idleWaiters = [];

  const server = net.createServer((raw) => {
    const settings = { ...config() };
    stats.connections++;
    open++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, open);
    sockets.add(raw);
    raw.setNoDelay(true);
    raw.on('error', () => {});
    raw.once('close', () => {
      open--;
      sockets.delete(raw);
      if (open === 0) {
        for (const resolve of idleWaiters) resolve();
        idleWaiters = [];
      }
    });
    serveSession(raw, settings, name, secureContext, () => stats);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve({
        host,
        get stats() {
          return stats;
        },
        resetStats() {
          stats = emptyStats();
          stats.maxConcurrent = open;
        },
        get open() {
          return open;
        },
        /** Resolves once no session is open (at once if none is). */
        idle: () => (open === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

// The next free RCPT reply slot per client address, shared by every fake of the process.
const nextRcptSlot = new Map();

/** How long to hold an RCPT reply to `source` so that it gets at most `perSecond` a second. */
function rcptHoldMs(source, perSecond) {
  if (!perSecond) return 0;
  const now = Date.now();
  const slot = Math.max(now, nextRcptSlot.get(source) ?? 0);
  nextRcptSlot.set(source, slot + 1000 / perSecond);
  return slot - now;
}

/**
 * Writes to `raw` `delayMs` (plus `holdMs`) after being asked; a write never overtakes an
 * earlier one, so replies keep their order. One queue and one timer per connection: a timer per
 * write does not keep the order, since Node orders timers of different durations only by their
 * due time in whole milliseconds (a write asked for a millisecond later, with the same due time,
 * could leave first, and the client would read one reply as the answer to another command).
 */
function delayedWriter(raw, delayMs) {
  const queue = []; // { at, bytes } in the order asked; `at` never decreases
  let timer = null;
  const flush = () => {
    timer = null;
    const now = Date.now();
    while (queue.length > 0 && queue[0].at <= now) {
      const { bytes } = queue.shift();
      if (bytes === null) raw.end();
      else if (!raw.destroyed) raw.write(bytes);
    }
    if (queue.length > 0) timer = setTimeout(flush, queue[0].at - now);
  };
  const push = (bytes, holdMs) => {
    const lastAt = queue.length > 0 ? queue[queue.length - 1].at : 0;
    queue.push({ at: Math.max(Date.now() + delayMs + holdMs, lastAt), bytes });
    if (timer === null) timer = setTimeout(flush, queue[0].at - Date.now());
  };
  return {
    write(bytes, holdMs = 0) {
      push(bytes, holdMs);
    },
    end() {
      push(null, 0);
    },
  };
}

function serveSession(raw, settings, name, secureContext, currentStats) {
  const out = delayedWriter(raw, settings.delayMs);
  let send = (text, holdMs) => out.write(`${text}\r\n`, holdMs);
  let buffer = '';
  let inTransaction = false;
  let errors = 0;
  let tlsActive = false;
  let closing = false;

  const hangUp = (text) => {
    closing = true;
    send(text);
    out.end();
  };

  const reply = (text, holdMs) => {
    send(text, holdMs);
    if (/^[45]/.test(text) && settings.strict && ++errors >= HARD_ERROR_LIMIT) {
      currentStats().errorLimitHangups++;
      hangUp(`421 4.7.0 ${name} Error: too many errors`);
    }
  };

  const ehloLines = () => {
    const lines = [name];
    if (settings.pipelining) lines.push('PIPELINING');
    lines.push('SIZE 10240000');
    if (settings.starttls && !tlsActive) lines.push('STARTTLS');
    lines.push('ENHANCEDSTATUSCODES', '8BITMIME');
    return lines.map((line, i) => `250${i === lines.length - 1 ? ' ' : '-'}${line}`).join('\r\n');
  };

  const startTls = () => {
    // The TLS layer reads the client's bytes from `raw` and writes through the delayed writer,
    // so the handshake pays the same latency as every other reply.
    const transport = new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        out.write(chunk);
        callback();
      },
    });
    raw.removeAllListeners('data');
    raw.on('data', (chunk) => transport.push(chunk));
    raw.once('end', () => transport.push(null));
    const secure = new tls.TLSSocket(transport, { isServer: true, secureContext });
    secure.on('error', () => raw.destroy());
    secure.on('data', onData);
    send = (text) => secure.write(`${text}\r\n`);
    tlsActive = true;
    buffer = '';
    inTransaction = false;
  };

  const handle = (line) => {
    const upper = line.toUpperCase();
    const verb = upper.slice(0, 4);
    const s = currentStats();
    if (upper.startsWith('STARTTLS')) {
      s.starttls++;
      if (!settings.starttls || tlsActive) return reply('502 5.5.1 Error: command not implemented');
      send('220 2.0.0 Ready to start TLS');
      startTls();
      return 'stop';
    }
    switch (verb) {
      case 'EHLO':
        s.ehlo++;
        inTransaction = false;
        return send(ehloLines());
      case 'HELO':
        s.helo++;
        inTransaction = false;
        return send(`250 ${name}`);
      case 'MAIL':
        s.mail++;
        if (inTransaction) return reply('503 5.5.1 Error: nested MAIL command');
        inTransaction = true;
        return send('250 2.1.0 Ok');
      case 'RCPT': {
        s.rcpt++;
        if (!inTransaction) return reply('503 5.5.1 Error: need MAIL command');
        const address = (/<([^>]*)>/.exec(line)?.[1] ?? '').toLowerCase();
        const hold = rcptHoldMs(raw.remoteAddress, settings.rcptPerSecondPerSource);
        if (settings.mailboxes.has(address)) return send('250 2.1.5 Ok', hold);
        return reply(`550 5.1.1 <${address}>: Recipient address rejected: User unknown in virtual mailbox table`, hold);
      }
      case 'RSET':
        s.rset++;
        inTransaction = false;
        return send('250 2.0.0 Ok');
      case 'NOOP':
        return send('250 2.0.0 Ok');
      case 'QUIT':
        s.quit++;
        return hangUp('221 2.0.0 Bye');
      default:
        s.other++;
        return reply('502 5.5.2 Error: command not recognized');
    }
  };

  function onData(chunk) {
    buffer += chunk.toString('latin1');
    let at;
    while (!closing && (at = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, at).replace(/\r$/, '');
      buffer = buffer.slice(at + 1);
      if (handle(line) === 'stop') return;
    }
    if (buffer.length > MAX_LINE) hangUp('500 5.5.0 Error: line too long');
  }

  raw.on('data', onData);
  send(`220 ${name} ESMTP bench`);
}
