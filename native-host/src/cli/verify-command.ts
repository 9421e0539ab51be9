import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { Budgets } from '../engine/budgets.js';
import { describeRoute, NetworkWatch, type RouteReport } from '../engine/network-watch.js';
import { port25SecondOpinion } from '../doctor/port25-opinion.js';
import { unfinishedResult, Verifier } from '../engine/verifier.js';
import { keepYoungGenerationSmall } from '../engine/young-generation.js';
import { loadSettings } from '../settings.js';
import type { VerificationResult } from '../../shared/result.js';
import { EXIT_CODES, parseVerifyArgs } from './verify-args.js';
import { ResultTable } from './result-table.js';
import { escapeForTerminal } from './terminal-text.js';
import { UsageError } from './usage-error.js';
import { checkRemoteTarget, RemoteError, verifyRemotely } from './verify-remote.js';

export const VERIFY_HELP = `Usage: mxlens verify [options] [address ...]

Checks whether each mailbox exists by asking its mail server (DNS, then SMTP up to RCPT TO).
No mail is sent. With no addresses, reads them from stdin, one per line.

Settings also come from the environment (MXLENS_DNS, MXLENS_ALLOW_PRIVATE, MXLENS_PROXY,
MXLENS_FROM, MXLENS_HELO, MXLENS_TIMEOUT, the MXLENS_*_PER_MINUTE budgets) and the config
file (mxlens config path); flags win over both.

Options:
  --json                NDJSON output: one JSON object per address, in input order
  -i, --input FILE      read addresses from FILE, one per line ("-" or a lone - : stdin)
  --fail-on VERDICTS    exit 3 when a result is one of these: undeliverable,risky,unknown
  --level LEVEL         syntax | dns | smtp (default smtp)
  --dns HOST[:PORT]     DNS server to ask (repeatable; default: the system's)
  --smtp-port N         port of the mail servers (default 25)
  --allow-private       allow mail servers on loopback, private or reserved addresses
  --helo NAME           name we give in EHLO (default: mxlens.invalid, which names no machine)
  --from ADDRESS        MAIL FROM address (default: the null sender <>)
  --timeout MS          time budget per address (default 20000)
  --no-catch-all        do not probe a random address to detect catch-all domains
  --greylist-wait MS    wait up to MS for a greylisting server, then ask again (default 0)
  --proxy URL           connect through a SOCKS5 proxy: socks5://[user:pass@]host:port
  --concurrency N       SMTP sessions at once (default 256; at most 2 per mail server)
  --verbose             include the SMTP dialogue in the results
  --server URL          send the work to an MX Lens server (mxlens serve) instead of checking
                        from here; also MXLENS_SERVER, with the key in MXLENS_SERVER_KEY

Exit codes: 0 every address checked; 1 an unexpected error; 2 a wrong flag or value;
3 some result matched --fail-on.
`;

/**
 * Each SMTP session at work listens on the run's abort signal at most twice at once (the session,
 * plus its connect, TLS handshake or greylisting wait), and `concurrency` sessions run together.
 * That many listeners are expected, not a leak: without this bound Node warns
 * (MaxListenersExceededWarning) as soon as more than 10 are attached, on most runs of 1,000.
 */
const ABORT_LISTENERS_PER_SESSION = 2;

export async function runVerify(argv: string[]): Promise<number> {
  const settings = loadSettings();
  const command = parseVerifyArgs(argv, settings.verify);
  for (const problem of settings.problems) {
    process.stderr.write(
      `mxlens: ignoring ${escapeForTerminal(problem.setting)}: ${escapeForTerminal(problem.message)}\n`,
    );
  }
  const server = command.server ?? settings.server.url;
  if (server && command.localOnly.length > 0) {
    throw new UsageError(
      `${command.localOnly.join(', ')} cannot be used with a server: the server decides (${server})`,
    );
  }
  const remote = server ? { url: server, key: settings.server.key } : null;
  if (remote) checkRemoteTarget(remote);
  const addresses = [...command.addresses];
  for (const input of command.inputs)
    addresses.push(...(input === '-' ? await readStdinLines() : readFileLines(input)));
  if (command.addresses.length === 0 && command.inputs.length === 0) addresses.push(...(await readStdinLines()));
  if (addresses.length === 0)
    throw new UsageError('no addresses given (pass them as arguments, with --input FILE, or on stdin)');
  await keepYoungGenerationSmall(addresses.length);

  const aborter = new AbortController();
  setMaxListeners(ABORT_LISTENERS_PER_SESSION * command.options.concurrency + 1, aborter.signal);
  const stop = () => aborter.abort();
  process.once('SIGINT', stop);
  const output = command.json ? new NdjsonWriter() : new ResultTable(addresses, command.options.verbose);
  let failed = false;
  const ordered = new InputOrder(addresses.length, (result) => {
    if (command.failOn.includes(result.verdict)) failed = true;
    output.write(result);
  });
  let failure: unknown = null;
  const take = (index: number, result: VerificationResult) => {
    ordered.add(index, result);
    output.progress(ordered.done, addresses.length);
  };
  try {
    if (remote) await verifyRemotely(remote, addresses, command.requested, aborter.signal, take);
    else {
      const budgets = new Budgets(command.options.budgets, Date.now, ({ ms, budget }) => output.waiting(ms, budget));
      const network = new NetworkWatch({
        secondOpinion: port25SecondOpinion(settings.serve.probeDomain, command.options),
      });
      const verifier = new Verifier(command.options, { budgets, network });
      verifier.network.onChange((route) => {
        if (route.state === 'blocked') process.stderr.write(`mxlens: ${portBlockedNote(route)}\n`);
      });
      for await (const batch of verifier.verifyInBatches(addresses, aborter.signal)) {
        for (const { index, result } of batch) take(index, result);
      }
    }
  } catch (error) {
    failure = error;
    const message =
      error instanceof RemoteError
        ? error.message
        : `the check broke down: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`mxlens: ${escapeForTerminal(message)}\n`);
  } finally {
    process.off('SIGINT', stop);
    // Exactly one result per input line, every time, even if the engine broke down.
    ordered.fillMissing((index) => unfinishedResult(addresses[index]!, failure));
    output.end();
  }
  if (failure !== null) return EXIT_CODES.error;
  return failed ? EXIT_CODES.failOn : EXIT_CODES.ok;
}

/** Said once, when the run finds the port blocked: the remaining checks then end at once. */
function portBlockedNote(route: RouteReport): string {
  return (
    `outbound ${describeRoute(route)} seems blocked from this network (connects to ${route.servers.join(', ')} timed out); ` +
    'the remaining checks end "unknown / port_blocked" at once. Fix: mxlens verify --server URL (a team server, see "Run a team server" in the README) ' +
    'or a SOCKS5 proxy (--proxy, MXLENS_PROXY); mxlens doctor tests port 25.'
  );
}

/** Releases results in input order as soon as every earlier one is known. */
class InputOrder {
  private readonly held: Array<VerificationResult | undefined>;
  private next = 0;
  done = 0;

  constructor(
    private readonly total: number,
    private readonly release: (result: VerificationResult) => void,
  ) {
    this.held = new Array<VerificationResult | undefined>(total);
  }

  /** Gives every address still without a result the one `make` builds. */
  fillMissing(make: (index: number) => VerificationResult): void {
    for (let index = this.next; index < this.total; index++) {
      if (this.held[index] === undefined) this.add(index, make(index));
    }
  }

  add(index: number, result: VerificationResult): void {
    if (index < this.next || this.held[index] !== undefined) return;
    this.held[index] = result;
    this.done++;
    while (this.next < this.total && this.held[this.next] !== undefined) {
      this.release(this.held[this.next]!);
      this.held[this.next++] = undefined;
    }
  }
}

/** NDJSON is written in chunks of about this many characters. */
const NDJSON_CHUNK_CHARS = 64 * 1024;

/**
 * One line per result, but not one write per line: results come in bursts (a session's whole
 * batch at once), and each write is a system call. Results released in a tick go out together,
 * in chunks, and only as fast as stdout takes them: a pipe holds 64 KB, and what a write cannot
 * pass on at once Node keeps as a UTF-8 copy beside the string. Results wait here instead, as
 * they are (most of their strings are shared; a JSON line from JSON.stringify is a tree of
 * string parts, 600 bytes for a 450-character line), and become text one chunk at a time.
 */
class NdjsonWriter {
  private readonly queue: VerificationResult[] = [];
  private flushScheduled = false;
  private waitingForDrain = false;

  write(result: VerificationResult): void {
    this.queue.push(result);
    if (this.flushScheduled || this.waitingForDrain) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }
  progress(): void {}
  waiting(): void {}
  /** What stdout cannot take now is written as it drains (the process lives until then). */
  end(): void {
    if (!this.waitingForDrain) this.flush();
  }

  private flush(): void {
    let next = 0;
    while (next < this.queue.length) {
      let chunk = '';
      while (next < this.queue.length && chunk.length < NDJSON_CHUNK_CHARS)
        chunk += `${JSON.stringify(this.queue[next++])}\n`;
      if (!process.stdout.write(chunk)) {
        this.waitingForDrain = true;
        process.stdout.once('drain', () => {
          this.waitingForDrain = false;
          this.flush();
        });
        break;
      }
    }
    this.queue.splice(0, next);
  }
}

async function readStdinLines(): Promise<string[]> {
  if (process.stdin.isTTY)
    throw new UsageError(
      'no addresses given (pass them as arguments, with --input FILE, or pipe them in, one per line)',
    );
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return lines(Buffer.concat(chunks).toString('utf8'));
}

function readFileLines(file: string): string[] {
  try {
    return lines(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--input ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function lines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
