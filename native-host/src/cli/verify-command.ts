import { Budgets } from '../engine/budgets.js';
import { unfinishedResult, Verifier } from '../engine/verifier.js';
import { loadSettings } from '../settings.js';
import type { VerificationResult } from '../engine/result.js';
import { parseVerifyArgs } from './verify-args.js';
import { ResultTable } from './result-table.js';
import { escapeForTerminal } from './terminal-text.js';
import { UsageError } from './usage-error.js';
import { RemoteError, verifyRemotely } from './verify-remote.js';

export const VERIFY_HELP = `Usage: mxlens verify [options] [address ...]

Checks whether each mailbox exists by asking its mail server (DNS, then SMTP up to RCPT TO).
No mail is sent. With no addresses, reads them from stdin, one per line.

Settings also come from the environment (MXLENS_DNS, MXLENS_ALLOW_PRIVATE, MXLENS_PROXY,
MXLENS_FROM, MXLENS_HELO, MXLENS_TIMEOUT, the MXLENS_*_PER_MINUTE budgets) and the config
file (mxlens config path); flags win over both.

Options:
  --json                NDJSON output: one JSON object per address, in input order
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
  --concurrency N       SMTP sessions at once (default 8; at most 2 per mail server)
  --verbose             include the SMTP dialogue in the results
  --server URL          send the work to an MX Lens server (mxlens serve) instead of checking
                        from here; also MXLENS_SERVER, with the key in MXLENS_SERVER_KEY
`;

export async function runVerify(argv: string[]): Promise<number> {
  const settings = loadSettings();
  const command = parseVerifyArgs(argv, settings.verify);
  for (const problem of settings.problems) {
    process.stderr.write(`mxlens: ignoring ${escapeForTerminal(problem.setting)}: ${escapeForTerminal(problem.message)}\n`);
  }
  const server = command.server ?? settings.server.url;
  if (server && command.localOnly.length > 0) {
    throw new UsageError(`${command.localOnly.join(', ')} cannot be used with a server: the server decides (${server})`);
  }
  const addresses = command.addresses.length > 0 ? command.addresses : await readStdinLines();
  if (addresses.length === 0) throw new UsageError('no addresses given (pass them as arguments or on stdin)');

  const aborter = new AbortController();
  const stop = () => aborter.abort();
  process.once('SIGINT', stop);
  const output = command.json ? new NdjsonWriter() : new ResultTable(addresses, command.options.verbose);
  const ordered = new InputOrder(addresses.length, (result) => output.write(result));
  let failure: unknown = null;
  const take = (index: number, result: VerificationResult) => {
    ordered.add(index, result);
    output.progress(ordered.done, addresses.length);
  };
  try {
    if (server) await verifyRemotely({ url: server, key: settings.server.key }, addresses, command.requested, aborter.signal, take);
    else {
      const budgets = new Budgets(command.options.budgets, Date.now, ({ ms, budget }) => output.waiting(ms, budget));
      for await (const { index, result } of new Verifier(command.options, { budgets }).verify(addresses, aborter.signal)) take(index, result);
    }
  } catch (error) {
    failure = error;
    const message = error instanceof RemoteError ? error.message : `the check broke down: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`mxlens: ${escapeForTerminal(message)}\n`);
  } finally {
    process.off('SIGINT', stop);
    // Exactly one result per input line, every time, even if the engine broke down.
    ordered.fillMissing((index) => unfinishedResult(addresses[index]!, failure));
    output.end();
  }
  return failure === null ? 0 : 1;
}

/** Releases results in input order as soon as every earlier one is known. */
class InputOrder {
  private readonly held = new Map<number, VerificationResult>();
  private next = 0;
  done = 0;

  constructor(
    private readonly total: number,
    private readonly release: (result: VerificationResult) => void,
  ) {}

  /** Gives every address still without a result the one `make` builds. */
  fillMissing(make: (index: number) => VerificationResult): void {
    for (let index = this.next; index < this.total; index++) {
      if (!this.held.has(index)) this.add(index, make(index));
    }
  }

  add(index: number, result: VerificationResult): void {
    if (this.held.has(index) || index < this.next) return;
    this.held.set(index, result);
    this.done++;
    while (this.next < this.total && this.held.has(this.next)) {
      this.release(this.held.get(this.next)!);
      this.held.delete(this.next++);
    }
  }
}

class NdjsonWriter {
  write(result: VerificationResult): void {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  progress(): void {}
  waiting(): void {}
  end(): void {}
}

async function readStdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) throw new UsageError('no addresses given (pass them as arguments or pipe them in, one per line)');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
