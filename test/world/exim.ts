// A real Exim (4.96, Debian's exim4-daemon-light) run in the foreground as a child of the test
// world, with a config file of its own. Debian's exim4 package conflicts with postfix, so it is
// never installed: test/run-all.mjs (as root) unpacks the .deb into EXIM_ROOT (git-ignored) and
// clears the setuid bit. Meant to run as root inside the loopback-only namespace.
//
// The binary looks up its compiled-in user Debian-exim at start. The machine's /etc/passwd and
// /etc/group stay untouched: inside `unshare -m`, copies that add the user are bind-mounted over
// them, visible to Exim alone.

import { spawn } from 'node:child_process';
import { access, chmod, chown, constants, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { superviseDaemon } from './daemon.js';
import { makeSelfSignedCert, waitForBanner } from './postfix.js';

/** Where test/run-all.mjs unpacks exim4-daemon-light (keep both in step). */
const EXIM_ROOT = fileURLToPath(new URL('../../.cache/test-world/exim4-daemon-light/', import.meta.url));
const EXIM_BIN = path.join(EXIM_ROOT, 'usr/sbin/exim4');
const EXIM_USER = 'Debian-exim';

export interface EximOptions {
  /** `ip:port`, e.g. `127.0.0.6:25` (IPv4). */
  listen: string;
  /** primary_hostname: the name in the banner and the EHLO reply. */
  hostname: string;
  /** Domains Exim hosts (local_domains). */
  domains: readonly string[];
  /** Addresses that exist; every other address in `domains` gets `550 Unrouteable address`. */
  mailboxes: readonly string[];
  readyTimeoutMs?: number;
}

/** Where a running Exim is (serializable: the run's global setup hands it to the test files). */
export interface EximPlace {
  /** The private folder: exim.conf, mailboxes, passwd/group copies, tls/, spool/, log/. */
  dir: string;
  listen: string;
}

/** A running Exim, seen from any process of the run. */
export interface EximView extends EximPlace {
  /** Exim's main log (rejected recipients are logged there). */
  log(): Promise<string>;
  /** `exim -bP NAME...`: the values Exim runs with, e.g. `smtp_accept_max = 20`. */
  printOptions(names: readonly string[]): Promise<string>;
}

export interface EximHandle extends EximView {
  stop(): Promise<void>;
}

// $1 passwd copy, $2 group copy, then the Exim command line. Runs inside `unshare -m`, whose
// mounts are private: nobody else sees the copies. Exits with Exim's status; passes SIGTERM on.
const EXIM_WRAPPER = [
  'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group || exit 97',
  'shift 2',
  '"$@" & e=$!',
  "trap 'kill -TERM $e 2>/dev/null' TERM INT HUP",
  'wait $e; s=$?',
  'if kill -0 $e 2>/dev/null; then wait $e; s=$?; fi',
  'exit $s',
].join('\n');

/** Throws a message that says what to run when the unpacked binary is missing. */
async function assertEximUnpacked(): Promise<void> {
  try {
    await access(EXIM_BIN, constants.X_OK);
  } catch {
    throw new Error(
      `Exim is not unpacked at ${EXIM_BIN}. Run \`npm test\` once as root (test/run-all.mjs fetches it), ` +
        `or by hand as root: apt-get download exim4-daemon-light && dpkg-deb -x exim4-daemon-light_*.deb ${EXIM_ROOT} && chmod u-s ${EXIM_BIN}`,
    );
  }
}

export async function startExim(options: EximOptions): Promise<EximHandle> {
  await assertEximUnpacked();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mxlens-exim-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    return await launch(dir, options);
  } catch (err) {
    if (!process.env.MXLENS_KEEP_WORLD) await cleanup();
    throw err;
  }
}

async function launch(dir: string, options: EximOptions): Promise<EximHandle> {
  await chmod(dir, 0o755);
  const user = await writeAccountCopies(dir);
  // Exim receives mail as Debian-exim: it writes spool and log, reads the TLS key at STARTTLS.
  for (const sub of ['spool', 'log', 'mailboxes']) {
    await mkdir(path.join(dir, sub), { mode: 0o750 });
    await giveToEximUser(path.join(dir, sub), user);
  }
  const tls = await makeSelfSignedCert(path.join(dir, 'tls'), options.hostname);
  await giveToEximUser(tls.keyFile, user);
  const mailboxFile = path.join(dir, 'mailboxes.lsearch');
  await writeFile(mailboxFile, options.mailboxes.map((m) => `${m.toLowerCase()}:\n`).join(''), { mode: 0o644 });
  const configFile = path.join(dir, 'exim.conf');
  await writeFile(configFile, eximConf(dir, options, tls, mailboxFile), { mode: 0o644 });

  // setpriv --pdeathsig: if this process dies, even by SIGKILL, the wrapper stops Exim too.
  const child = spawn('setpriv', ['--pdeathsig', 'TERM', ...eximCommand(dir, ['-bdf', '-oX', options.listen])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const daemon = superviseDaemon(child, path.join(dir, 'exim.pid'));
  const stop = async () => {
    await daemon.stop();
    if (!process.env.MXLENS_KEEP_WORLD) await rm(dir, { recursive: true, force: true });
  };
  const view = eximAt({ dir, listen: options.listen });
  const log = view.log;

  try {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
    await waitForBanner(options.listen, deadline, daemon.hasExited);
  } catch (err) {
    const status = `exit code ${child.exitCode}, signal ${child.signalCode}`;
    const mainlog = await log();
    const paniclog = await readFile(path.join(dir, 'log/paniclog'), 'utf8').catch(() => '');
    await stop();
    throw new Error(
      `Exim did not come up (${status}): ${(err as Error).message}\n` +
        `output:\n${daemon.output()}\nmainlog:\n${mainlog.slice(-5000)}\npaniclog:\n${paniclog.slice(-5000)}`,
    );
  }
  return { ...view, stop };
}

/** The Exim running at `place` (started by this process or another of the run). */
export function eximAt(place: EximPlace): EximView {
  return {
    dir: place.dir,
    listen: place.listen,
    log: () => readFile(path.join(place.dir, 'log/mainlog'), 'utf8').catch(() => ''),
    printOptions: (names) => runToEnd(eximCommand(place.dir, ['-bP', ...names])),
  };
}

/** setpriv arguments that run Exim with the config and account copies of `dir`. */
function eximCommand(dir: string, eximArgs: string[]): string[] {
  const accounts = [path.join(dir, 'passwd'), path.join(dir, 'group')];
  return [
    '--',
    'unshare',
    '-m',
    '--',
    'sh',
    '-c',
    EXIM_WRAPPER,
    'sh',
    ...accounts,
    EXIM_BIN,
    '-C',
    path.join(dir, 'exim.conf'),
    ...eximArgs,
  ];
}

/** Copies of /etc/passwd and /etc/group that also hold Debian-exim (if the machine lacks it). */
async function writeAccountCopies(dir: string): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const group = await readFile('/etc/group', 'utf8');
  const field = (text: string, name: string) =>
    text
      .split('\n')
      .find((line) => line.startsWith(`${name}:`))
      ?.split(':')[2];
  const known = field(passwd, EXIM_USER);
  const uid = known !== undefined ? Number(known) : freeId(passwd);
  const knownGroup = field(group, EXIM_USER);
  const gid = knownGroup !== undefined ? Number(knownGroup) : freeId(group);
  const withLine = (text: string, line: string) =>
    `${text.endsWith('\n') || text === '' ? text : `${text}\n`}${line}\n`;
  await writeFile(
    path.join(dir, 'passwd'),
    known !== undefined
      ? passwd
      : withLine(passwd, `${EXIM_USER}:x:${uid}:${gid}:Exim (MX Lens test world):/nonexistent:/usr/sbin/nologin`),
    { mode: 0o644 },
  );
  await writeFile(
    path.join(dir, 'group'),
    knownGroup !== undefined ? group : withLine(group, `${EXIM_USER}:x:${gid}:`),
    { mode: 0o644 },
  );
  return { uid, gid };
}

async function giveToEximUser(file: string, user: { uid: number; gid: number }): Promise<void> {
  try {
    await chown(file, user.uid, user.gid);
  } catch (err) {
    // In `unshare -r` only root is mapped, and Exim cannot switch to an unmapped user either.
    throw new Error(`Exim needs real root (it switches to ${EXIM_USER}, uid ${user.uid}): ${(err as Error).message}`);
  }
}

/** The first id from 4242 on that no line of an /etc/passwd or /etc/group style file uses. */
function freeId(table: string): number {
  const used = new Set(table.split('\n').map((line) => Number(line.split(':')[2])));
  let id = 4242;
  while (used.has(id)) id++;
  return id;
}

function runToEnd(setprivArgs: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', ['--pdeathsig', 'TERM', ...setprivArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exim exited ${code}: ${stderr}`))));
  });
}

/**
 * Exim's own defaults hold for everything error-related; this config sets none of them. What
 * applies (Debian's 4.96 build, as `exim -bP` prints them, pinned in real-mta.test.ts):
 *  - no limit on rejected recipients and no error delay: a stock Exim answers every RCPT at once
 *    however many fail (limits of that kind exist only as ACL `ratelimit`/`delay`, not used here);
 *  - recipients_max = 50000 per message, recipients_max_reject false (extra ones get 452);
 *  - smtp_accept_max = 20 connections at once, smtp_accept_max_per_host unset (no per-host cap),
 *    smtp_accept_max_per_connection = 1000 messages per connection;
 *  - smtp_max_synprot_errors = 3, smtp_max_unknown_commands = 3, smtp_accept_max_nonmail = 10
 *    (HELO/EHLO/RSET/NOOP/... without a MAIL), smtp_enforce_sync on (commands sent early without
 *    PIPELINING are refused), pipelining_advertise_hosts = *;
 *  - smtp_receive_timeout = 5m, rfc1413 (ident) queries off (rfc1413_query_timeout = 0s).
 * The ACL is upstream's default RCPT ACL without the parts that need outside DNS (verify =
 * sender) or do not apply (submission, authentication); relay_from_hosts is empty, else every
 * loopback client could relay.
 */
function eximConf(
  dir: string,
  options: EximOptions,
  tls: { certFile: string; keyFile: string },
  mailboxFile: string,
): string {
  return `# Written by the MX Lens test world (test/world/exim.ts).
keep_environment =
primary_hostname = ${options.hostname}
domainlist local_domains = ${options.domains.join(' : ')}
domainlist relay_to_domains =
hostlist relay_from_hosts =
acl_smtp_rcpt = acl_check_rcpt
acl_smtp_predata = acl_check_predata
spool_directory = ${path.join(dir, 'spool')}
log_file_path = ${path.join(dir, 'log')}/%slog
pid_file_path = ${path.join(dir, 'exim.pid')}
tls_certificate = ${tls.certFile}
tls_privatekey = ${tls.keyFile}
# Nothing is ever delivered: DATA is refused, mail would only be queued, and no queue runner runs.
queue_only

begin acl

acl_check_rcpt:
  accept  hosts = :
  deny    message = Restricted characters in address
          domains = +local_domains
          local_parts = ^[.] : ^.*[@%!/|]
  deny    message = Restricted characters in address
          domains = !+local_domains
          local_parts = ^[./|] : ^.*[@%!] : ^.*/\\\\.\\\\./
  accept  hosts = +relay_from_hosts
  require message = relay not permitted
          domains = +local_domains : +relay_to_domains
  require verify = recipient
  accept

acl_check_predata:
  deny    message = no mail is accepted in the test world

begin routers

mailboxes:
  driver = accept
  domains = +local_domains
  condition = \${lookup{$local_part@$domain}lsearch{${mailboxFile}}{yes}{no}}
  transport = mailbox_file

begin transports

mailbox_file:
  driver = appendfile
  file = ${path.join(dir, 'mailboxes')}/mbox
  user = ${EXIM_USER}
`;
}
