// A minimal SMTP server for the throughput benchmark (node:net, no TLS, never accepts DATA):
// banner, EHLO (offers PIPELINING), HELO, MAIL, RCPT (250 for a known mailbox, 550 otherwise),
// RSET, NOOP, QUIT. It counts connections and commands.

import net from 'node:net';

const MAX_LINE = 4096;

export function startSmtpServer({ known, host = '127.0.0.1', name = 'mx.bench.bench' }) {
  const stats = { connections: 0, ehlo: 0, mail: 0, rcpt: 0, rset: 0, quit: 0, other: 0 };
  const sockets = new Set();

  const server = net.createServer((socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);

    let buffer = '';
    let inTransaction = false;
    const reply = (text) => socket.write(`${text}\r\n`);

    const handle = (line) => {
      const verb = line.slice(0, 4).toUpperCase();
      switch (verb) {
        case 'EHLO':
          stats.ehlo++;
          inTransaction = false;
          return reply(`250-${name}\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME`);
        case 'HELO':
          stats.ehlo++;
          inTransaction = false;
          return reply(`250 ${name}`);
        case 'MAIL':
          stats.mail++;
          if (inTransaction) return reply('503 5.5.1 Error: nested MAIL command');
          inTransaction = true;
          return reply('250 2.1.0 Ok');
        case 'RCPT': {
          stats.rcpt++;
          if (!inTransaction) return reply('503 5.5.1 Error: need MAIL command');
          const address = /<([^>]*)>/.exec(line)?.[1]?.toLowerCase() ?? '';
          return known.has(address) ? reply('250 2.1.5 Ok') : reply(`550 5.1.1 <${address}>: Recipient address rejected: User unknown`);
        }
        case 'RSET':
          stats.rset++;
          inTransaction = false;
          return reply('250 2.0.0 Ok');
        case 'NOOP':
          return reply('250 2.0.0 Ok');
        case 'QUIT':
          stats.quit++;
          reply('221 2.0.0 Bye');
          return socket.end();
        default:
          stats.other++;
          return reply('502 5.5.2 Error: command not recognized');
      }
    };

    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      let at;
      while ((at = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        handle(line);
      }
      if (buffer.length > MAX_LINE) {
        reply('500 5.5.0 Line too long');
        socket.destroy();
      }
    });

    reply(`220 ${name} ESMTP bench`);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      resolve({
        port: server.address().port,
        stats,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
