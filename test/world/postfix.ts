// A real Postfix (3.7) run from a private config folder in a temp dir: no systemd, no /etc/postfix
// changes, no delivery. Meant to run as (namespace) root inside a loopback-only namespace.

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, chmod, mkdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { superviseDaemon } from './daemon.js';

const run = promisify(execFile);

interface PostfixListener {
  /** `ip:port`, e.g. `127.0.0.2:25`. */
  listen: string;
  /** Name in this listener's banner and EHLO reply (default: the main hostname). */
  hostname?: string;
}

export interface PostfixOptions {
  /** `'127.0.0.2:25'` or `{ listen, hostname }`. */
  listeners: Array<string | PostfixListener>;
  /** Domains Postfix hosts (virtual_mailbox_domains). */
  domains: readonly string[];
  /** Addresses that exist; every other address in `domains` gets 550 5.1.1. */
  mailboxes: readonly string[];
  /** Main host name (banner of listeners without their own). */
  hostname?: string;
  /**
   * 'lenient' (default): no error sleep, error limits 100/200, so a verifier never trips them.
   * 'stock': leaves smtpd_error_sleep_time, smtpd_soft_error_limit, smtpd_hard_error_limit and
   * smtpd_junk_command_limit out, so Postfix's defaults hold (1s, 10, 20, 100): after 10 errors
   * every reply waits 1 s, after 20 the client gets 421 and is dropped, as on real servers.
   */
  errorHandling?: 'lenient' | 'stock';
  /** Extra main.cf lines (`name = value`). */
  mainCf?: Record<string, string>;
  /** How long to wait for every banner. */
  readyTimeoutMs?: number;
}

/** Where a running Postfix is (serializable: the run's global setup hands it to the test files). */
export interface PostfixPlace {
  /** The private folder: etc/ (main.cf, master.cf, vmailbox, tls/), queue/, data/, maillog. */
  dir: string;
  /** DIR/etc, for `postconf -c`. */
  configDir: string;
  /** Postfix's log (maillog_file). */
  logFile: string;
  listeners: PostfixListener[];
}

/** A running Postfix, seen from any process of the run. */
export interface PostfixView extends PostfixPlace {
  /** Current content of the log. */
  log(): Promise<string>;
}

export interface PostfixHandle extends PostfixView {
  stop(): Promise<void>;
}

/** The Postfix running at `place` (started by this process or another of the run). */
export function postfixAt(place: PostfixPlace): PostfixView {
  const { dir, configDir, logFile, listeners } = place;
  return { dir, configDir, logFile, listeners, log: () => readFile(logFile, 'utf8').catch(() => '') };
}

const POSTFIX_BIN = '/usr/sbin/postfix';
const MASTER_BIN = '/usr/lib/postfix/sbin/master';
// $1 = master binary, $2 = config dir. Exits with master's status.
const MASTER_WATCHDOG = [
  '"$1" -c "$2" -d & m=$!',
  "trap 'kill -TERM $m 2>/dev/null' TERM INT HUP",
  'wait $m; s=$?',
  'if kill -0 $m 2>/dev/null; then wait $m; s=$?; fi',
  'exit $s',
].join('\n');

export interface SelfSignedCert {
  keyFile: string;
  certFile: string;
  key: string;
  cert: string;
}

/** A throw-away self-signed certificate (openssl), valid 2 days. */
export async function makeSelfSignedCert(dir: string, commonName = 'mx1.acme.test'): Promise<SelfSignedCert> {
  await mkdir(dir, { recursive: true });
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  // prettier-ignore
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${commonName}`,
    '-days', '2', '-keyout', keyFile, '-out', certFile]);
  await chmod(keyFile, 0o600);
  return { keyFile, certFile, key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
}

export async function startPostfix(options: PostfixOptions): Promise<PostfixHandle> {
  const listeners = options.listeners.map((l) => (typeof l === 'string' ? { listen: l } : l));
  if (listeners.length === 0) throw new Error('startPostfix: no listeners');
  const hostname = options.hostname ?? listeners[0]?.hostname ?? 'mx.postfix.test';

  // DIR/etc: main.cf, master.cf, tables, TLS (root-owned); DIR/queue and DIR/data: Postfix's own.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mxlens-postfix-'));
  // The postfix user must be able to reach the queue and data folders inside.
  await chmod(dir, 0o755);
  const configDir = path.join(dir, 'etc');
  await mkdir(configDir, { mode: 0o755 });
  // `postfix check` creates the queue's subfolders, not the queue folder itself.
  await mkdir(path.join(dir, 'queue'), { mode: 0o755 });
  const logFile = path.join(dir, 'maillog');
  const tls = await makeSelfSignedCert(path.join(configDir, 'tls'), hostname);
  await writeFile(
    path.join(configDir, 'vmailbox'),
    options.mailboxes.map((m) => `${m.toLowerCase()} ${m.split('@')[1]}/${m.split('@')[0]}/\n`).join(''),
    { mode: 0o644 },
  );
  await writeFile(path.join(configDir, 'main.cf'), mainCf(dir, configDir, hostname, options, tls, logFile));
  await writeFile(path.join(configDir, 'master.cf'), masterCf(listeners));

  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await postfixCheck(configDir);
  } catch (err) {
    await cleanup();
    throw err;
  }

  // master switches its effective uid now and then, which clears a parent-death signal, so a
  // small sh keeps it (setpriv --pdeathsig) and passes SIGTERM on: if this process dies, even
  // by SIGKILL, Postfix stops too. stop() signals the sh the same way.
  const child = spawn(
    'setpriv',
    ['--pdeathsig', 'TERM', '--', 'sh', '-c', MASTER_WATCHDOG, 'sh', MASTER_BIN, configDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const daemon = superviseDaemon(child, path.join(dir, 'queue/pid/master.pid'));
  const stop = async () => {
    await daemon.stop();
    if (!process.env.MXLENS_KEEP_WORLD) await cleanup();
  };
  const view = postfixAt({ dir, configDir, logFile, listeners });
  const log = view.log;

  try {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
    await Promise.all(listeners.map((l) => waitForBanner(l.listen, deadline, daemon.hasExited)));
  } catch (err) {
    const maillog = await log();
    const status = `exit code ${child.exitCode}, signal ${child.signalCode}`;
    await stop();
    throw new Error(
      `Postfix did not come up (${status}): ${(err as Error).message}\n` +
        `master output:\n${daemon.output()}\nmaillog:\n${maillog.slice(-5000)}`,
    );
  }
  return { ...view, stop };
}

// Answer at once, even to clients that make many errors (a verifier does).
const LENIENT_ERROR_HANDLING: Record<string, string> = {
  smtpd_error_sleep_time: '0',
  smtpd_soft_error_limit: '100',
  smtpd_hard_error_limit: '200',
  smtpd_junk_command_limit: '1000',
  in_flow_delay: '0',
};

function mainCf(
  dir: string,
  configDir: string,
  hostname: string,
  options: PostfixOptions,
  tls: SelfSignedCert,
  logFile: string,
): string {
  const never = 'error:5.7.1 no delivery in the test world';
  const settings: Record<string, string> = {
    compatibility_level: '3.6',
    queue_directory: path.join(dir, 'queue'),
    data_directory: path.join(dir, 'data'),
    meta_directory: '/etc/postfix',
    daemon_directory: '/usr/lib/postfix/sbin',
    command_directory: '/usr/sbin',
    shlib_directory: '/usr/lib/postfix',
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    myhostname: hostname,
    mydomain: hostname.split('.').slice(1).join('.') || 'test',
    myorigin: '$myhostname',
    mydestination: '',
    mynetworks: '127.0.0.0/8',
    inet_interfaces: 'loopback-only',
    inet_protocols: 'ipv4',
    smtpd_banner: '$myhostname ESMTP Postfix (MX Lens test world)',
    biff: 'no',
    append_dot_mydomain: 'no',
    alias_maps: '',
    alias_database: '',
    local_recipient_maps: '',
    // Mailboxes exist only as a lookup table; nothing is ever delivered anywhere.
    virtual_mailbox_domains: options.domains.join(' '),
    virtual_mailbox_maps: `texthash:${path.join(configDir, 'vmailbox')}`,
    // smtpd rejects recipients whose transport is error:, so mailboxes keep the virtual(8)
    // transport; nothing reaches it (DATA is always refused, and it is deferred anyway).
    virtual_transport: 'virtual',
    virtual_mailbox_base: path.join(dir, 'mailboxes'),
    virtual_uid_maps: 'static:65534',
    virtual_gid_maps: 'static:65534',
    defer_transports: 'virtual',
    local_transport: never,
    default_transport: never,
    relay_transport: never,
    smtpd_reject_unlisted_recipient: 'yes',
    smtpd_relay_restrictions: 'reject_unauth_destination',
    smtpd_recipient_restrictions: '',
    smtpd_data_restrictions: 'reject',
    smtpd_peername_lookup: 'no',
    smtp_dns_support_level: 'disabled',
    ...(options.errorHandling === 'stock' ? {} : LENIENT_ERROR_HANDLING),
    smtpd_tls_security_level: 'may',
    smtpd_tls_cert_file: tls.certFile,
    smtpd_tls_key_file: tls.keyFile,
    smtpd_tls_session_cache_database: '',
    smtpd_tls_loglevel: '0',
    maillog_file: logFile,
    maillog_file_prefixes: dir,
    readme_directory: 'no',
    html_directory: 'no',
    ...options.mainCf,
  };
  return Object.entries(settings)
    .map(([k, v]) => `${k} = ${v}\n`)
    .join('');
}

function masterCf(listeners: PostfixListener[]): string {
  // Nothing is chrooted (column 5 = n): the private folder is not a chroot jail.
  const lines = listeners.map((l) => {
    const overrides = l.hostname ? `\n  -o myhostname=${l.hostname}` : '';
    return `${l.listen} inet n - n - - smtpd${overrides}`;
  });
  return `${[
    ...lines,
    'pickup    unix  n - n 60 1 pickup',
    'cleanup   unix  n - n - 0 cleanup',
    'qmgr      unix  n - n 300 1 qmgr',
    'tlsmgr    unix  - - n 1000? 1 tlsmgr',
    'rewrite   unix  - - n - - trivial-rewrite',
    'bounce    unix  - - n - 0 bounce',
    'defer     unix  - - n - 0 bounce',
    'trace     unix  - - n - 0 bounce',
    'verify    unix  - - n - 1 verify',
    'flush     unix  n - n 1000? 0 flush',
    'proxymap  unix  - - n - - proxymap',
    'proxywrite unix - - n - 1 proxymap',
    'smtp      unix  - - n - - smtp',
    'relay     unix  - - n - - smtp',
    'showq     unix  n - n - - showq',
    'error     unix  - - n - - error',
    'retry     unix  - - n - - error',
    'discard   unix  - - n - - discard',
    'local     unix  - n n - - local',
    'virtual   unix  - n n - - virtual',
    'lmtp      unix  - - n - - lmtp',
    'anvil     unix  - - n - 1 anvil',
    'scache    unix  - - n - 1 scache',
    'postlog   unix-dgram n - n - 1 postlogd',
  ].join('\n')}\n`;
}

/** `postfix -c DIR check` (creates the queue folders); on failure, rerun under `script` to see why. */
async function postfixCheck(dir: string): Promise<void> {
  try {
    await run(POSTFIX_BIN, ['-c', dir, 'check']);
  } catch {
    // Without syslog Postfix prints nothing unless it has a terminal.
    let why = '';
    try {
      const { stdout, stderr } = await run('script', ['-qec', `${POSTFIX_BIN} -c ${dir} check`, '/dev/null']);
      why = stdout + stderr;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      why = `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message;
    }
    throw new Error(`postfix -c ${dir} check failed:\n${why}`);
  }
}

/** Connects until a `220 ` banner line arrives, then says QUIT. */
export async function waitForBanner(listen: string, deadline: number, gone: () => boolean): Promise<void> {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(colon + 1));
  let lastError = 'no attempt';
  while (Date.now() < deadline) {
    if (gone()) throw new Error('master exited');
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect({ host, port });
        let buffer = '';
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`${listen}: no banner`));
        }, 2000);
        socket.on('data', (chunk) => {
          buffer += chunk.toString();
          const line = /^(\d{3}) .*\r?\n/m.exec(buffer);
          if (line) {
            clearTimeout(timer);
            socket.end('QUIT\r\n');
            if (line[1] === '220') resolve();
            else reject(new Error(`${listen}: banner ${line[0].trim()}`));
          }
        });
        socket.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
      return;
    } catch (err) {
      lastError = (err as Error).message;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${listen}: ${lastError}`);
}
