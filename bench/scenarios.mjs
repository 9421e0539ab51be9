// The SMTP scenarios: how many domains, addresses per domain, the fakes' delay and manners,
// and which mailboxes exist (the ground truth every tool's answers are scored against).

import { domainName } from './world.mjs';

export const DEFAULT_DELAY_MS = 20;

/**
 * `peers`: which ways of driving the npm peers run here ('all' = every address at once,
 * 'polite' = at most 2 sessions per MX); `repeat`: runs per tool (median reported).
 */
export const SCENARIOS = [
  {
    id: 'headline',
    title: '1,000 addresses / 20 domains',
    domains: 20,
    perDomain: 50,
    repeat: 3,
    peers: ['all', 'polite'],
  },
  { id: 'one-domain', title: '1 domain × 1,000', domains: 1, perDomain: 1000, repeat: 1, peers: ['all'] },
  { id: 'wide', title: '200 domains × 5', domains: 200, perDomain: 5, repeat: 1, peers: ['all', 'polite'] },
  { id: 'big', title: '100 domains × 100 (10,000)', domains: 100, perDomain: 100, repeat: 1, peers: ['all', 'polite'] },
  {
    id: 'strict',
    title: 'strict server (421 after 20 errors), 20 × 50',
    domains: 20,
    perDomain: 50,
    repeat: 1,
    strict: true,
    peers: ['all', 'polite'],
  },
  {
    id: 'no-pipelining',
    title: '20 × 50, PIPELINING not offered',
    domains: 20,
    perDomain: 50,
    repeat: 1,
    pipelining: false,
    peers: [],
  },
  {
    id: 'starttls',
    title: '20 × 50, STARTTLS offered',
    domains: 20,
    perDomain: 50,
    repeat: 1,
    starttls: true,
    peers: [],
  },
];

export const MAX_DOMAINS = Math.max(...SCENARIOS.map((s) => s.domains));

/** Whether mailbox u<k> exists: a fixed pseudo-random half (not simply every other one). */
export function mailboxExists(k) {
  return ((Math.imul(k + 1, 2654435761) >>> 7) & 1) === 0;
}

/**
 * The address list, domains interleaved as on a real page or export (u0@d0, u0@d1, ...), and
 * the truth for each address.
 */
export function buildScenario(scenario, delayMs = DEFAULT_DELAY_MS) {
  const addresses = [];
  const truth = [];
  const mailboxes = new Set();
  for (let k = 0; k < scenario.perDomain; k++) {
    for (let j = 0; j < scenario.domains; j++) {
      const address = `u${k}@${domainName(j)}`;
      const exists = mailboxExists(k);
      addresses.push(address);
      truth.push(exists);
      if (exists) mailboxes.add(address);
    }
  }
  const server = {
    delayMs,
    pipelining: scenario.pipelining ?? true,
    starttls: scenario.starttls ?? false,
    strict: scenario.strict ?? false,
    mailboxes,
  };
  return { addresses, truth, server };
}

/**
 * The floor: one connection per domain, all domains at once, banner + EHLO + one pipelined
 * MAIL/RCPT group = 3 round trips of the delay, plus the start-up of a bare Node (`node -e 0`).
 * DNS on loopback and the TCP handshake are taken as free.
 */
export function floorMs(delayMs, nodeStartMs) {
  return 3 * delayMs + nodeStartMs;
}

/** Scores answers (true = exists, false = does not, null = no answer) against the truth. */
export function score(answers, truth) {
  let correct = 0;
  let wrong = 0;
  let unanswered = 0;
  truth.forEach((exists, i) => {
    const answer = answers[i];
    if (answer === null || answer === undefined) unanswered++;
    else if (answer === exists) correct++;
    else wrong++;
  });
  return { correct, wrong, unanswered, accuracy: correct / truth.length };
}
