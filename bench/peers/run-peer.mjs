// Runs one npm peer over a list of addresses, in a process of its own (so its wall time, CPU
// and peak RSS are its own, start-up included, like `mxlens verify`).
//
//   node bench/peers/run-peer.mjs <peer> <all|polite> < addresses (one per line)
//
// Prints one JSON line: { answers: [true|false|null, ...], notes: {...} }, where true = the
// peer says the mailbox exists, false = it says it does not, null = no answer (an error or
// "undetermined"). The peers use the system resolver and port 25, which run.mjs points at the
// bench world (a private /etc/resolv.conf, fakes on 127.10.x.y:25).
//
// Ways to drive them (their APIs check one address per call):
//   all     every address at once (Promise.all): the fastest a caller can make them go, at the
//           price of as many sessions at once as addresses per mail server;
//   polite  at most 2 calls in flight per domain (here one domain = one MX), all domains at once:
//           the same bound MX Lens keeps (at most 2 sessions per mail server).

import { createRequire } from 'node:module';
import { text } from 'node:stream/consumers';

const require = createRequire(new URL('../package.json', import.meta.url));
const PER_MX = 2;
const TIMEOUT_MS = 10_000;

const PEERS = {
  // Typo check off: its suggestions are about public providers (it would "correct" the bench's
  // made-up domains); the disposable check is a local list and stays on. Regex, MX, SMTP as shipped.
  'deep-email-validator': () => {
    const { validate } = require('deep-email-validator');
    return async (email) => {
      const out = await validate({ email, sender: 'bench@sender.example', validateTypo: false });
      if (out.valid) return true;
      // A definite "no" only when the server said so (550); timeouts and other failures are no answer.
      return out.reason === 'smtp' && out.validators.smtp?.reason === 'Mailbox not found.' ? false : null;
    };
  },
  'server-accepts-email': () => {
    const serverAcceptsEmail = require('server-accepts-email');
    return (email) =>
      serverAcceptsEmail(email, { senderDomain: 'sender.example', senderAddress: 'bench@sender.example' });
  },
  'email-existence': () => {
    const check = require('email-existence');
    return (email) =>
      new Promise((resolve) => {
        check(
          email,
          (error, exists, undetermined) => resolve(error || undetermined ? null : exists),
          TIMEOUT_MS,
          'bench@sender.example',
        );
      });
  },
};

async function runAll(verify, addresses) {
  return Promise.all(addresses.map((address) => settle(verify, address)));
}

async function runPolite(verify, addresses) {
  const answers = new Array(addresses.length);
  const byDomain = new Map();
  addresses.forEach((address, index) => {
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    if (!byDomain.has(domain)) byDomain.set(domain, []);
    byDomain.get(domain).push(index);
  });
  const worker = async (queue) => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift())
      answers[index] = await settle(verify, addresses[index]);
  };
  await Promise.all([...byDomain.values()].flatMap((queue) => Array.from({ length: PER_MX }, () => worker(queue))));
  return answers;
}

const errors = new Map();
async function settle(verify, address) {
  try {
    const answer = await verify(address);
    return typeof answer === 'boolean' ? answer : null;
  } catch (error) {
    const key = String(error?.message ?? error).slice(0, 120);
    errors.set(key, (errors.get(key) ?? 0) + 1);
    return null;
  }
}

const [peer, mode] = process.argv.slice(2);
if (!PEERS[peer] || !['all', 'polite'].includes(mode)) {
  process.stderr.write(`usage: run-peer.mjs <${Object.keys(PEERS).join('|')}> <all|polite>\n`);
  process.exit(2);
}
const addresses = (await text(process.stdin)).split('\n').filter(Boolean);
const verify = PEERS[peer]();
const answers = mode === 'all' ? await runAll(verify, addresses) : await runPolite(verify, addresses);
process.stdout.write(`${JSON.stringify({ answers, notes: { errors: Object.fromEntries(errors) } })}\n`);
// Some peers leave sockets or timers behind; the answers are out, so stop here.
process.exit(0);
