import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import { endianness } from 'node:os';
import path from 'node:path';
import { MailDns } from '../engine/dns.js';
import { connectSocket, describe } from '../engine/smtp/transport.js';
import { nonPublicReason } from '../engine/target-guard.js';
import type { AskSecondOpinion } from '../engine/network-watch.js';
import { stepTimeouts, type SocksProxy, type VerifyOptions } from '../engine/options.js';
import { candidateManifestFiles } from '../install/uninstall.js';
import { pathsFor, registryKeys, type Browser, type SystemContext } from '../install/browsers.js';
import { DEV_EXTENSION_ID, FIREFOX_EXTENSION_ID } from '../install/extension-id.js';
import { launcherTargets } from '../install/launcher.js';
import { HOST_NAME, parseOurManifest, type HostManifest } from '../install/manifest.js';
import { encodeFrame, FrameReader, decodeBody } from '../../shared/protocol/frames.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/messages.js';
import { describeProxy, type Settings } from '../settings.js';
import { VERSION } from '../version.js';

// `mxlens doctor`'s checks: each a small function returning one plain-language verdict with
// the fix for it. They only look; none changes anything.

export interface Check {
  id: string;
  ok: boolean;
  title: string;
  detail: string;
  /** What to do about it; null when ok. */
  fix: string | null;
}

const pass = (id: string, title: string, detail: string): Check => ({ id, ok: true, title, detail, fix: null });
const fail = (id: string, title: string, detail: string, fix: string): Check => ({ id, ok: false, title, detail, fix });

// ------------------------------------------------------------------------ browsers

/** Where a browser's manifest was found (or null), and how. */
export interface ManifestLocation {
  file: string;
  /** "per user", "system-wide", "--dir", or the registry key that names it. */
  via: string;
}

/** The manifest a browser would use: the per-user one first, then the system-wide one. */
export function findManifest(browser: Browser, ctx: SystemContext): ManifestLocation | null {
  if (ctx.platform === 'win32') {
    for (const scope of ['user', 'system'] as const) {
      for (const key of registryKeys(browser, scope, HOST_NAME)) {
        const file = readRegistryDefault(key);
        if (file) return { file, via: key };
      }
    }
    return null;
  }
  for (const scope of ['user', 'system'] as const) {
    const file = candidateManifestFiles(browser, scope, ctx).find((candidate) => existsSync(candidate));
    if (file) return { file, via: scope === 'user' ? 'per user' : 'system-wide' };
  }
  return null;
}

/** A registry key's default value (Windows only; null elsewhere or when absent). */
export function readRegistryDefault(key: string): string | null {
  if (process.platform !== 'win32') return null;
  try {
    const out = execFileSync('reg.exe', ['query', key, '/ve'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      windowsHide: true,
    });
    const match = /REG_(?:EXPAND_)?SZ\s+(.+?)\s*$/m.exec(out);
    return match ? match[1]! : null;
  } catch {
    return null;
  }
}

/**
 * Checks a browser's host registration: the manifest, the launcher it names, the Node binary
 * and host script the launcher runs. Stops at the first broken link.
 */
export function checkBrowser(
  browser: Pick<Browser, 'id' | 'name' | 'family'>,
  location: ManifestLocation | null,
  platform: NodeJS.Platform,
  reinstall = `run: mxlens install --browser ${browser.id}`,
): { checks: Check[]; launcher: string | null } {
  const id = `browser.${browser.id}`;
  if (!location) {
    return {
      checks: [
        fail(
          `${id}.manifest`,
          `${browser.name}: host registered`,
          `${browser.name} is on this machine, but no ${HOST_NAME} manifest is registered for it, so the extension cannot start the host.`,
          reinstall,
        ),
      ],
      launcher: null,
    };
  }
  const title = `${browser.name}: host manifest`;
  let text: string;
  try {
    text = readFileSync(location.file, 'utf8');
  } catch (error) {
    return {
      checks: [
        fail(
          `${id}.manifest`,
          title,
          `${location.file} (${location.via}) cannot be read: ${describe(error)}`,
          reinstall,
        ),
      ],
      launcher: null,
    };
  }
  const manifest = parseOurManifest(text);
  if (!manifest) {
    return {
      checks: [
        fail(
          `${id}.manifest`,
          title,
          `${location.file} is not a valid ${HOST_NAME} manifest (bad JSON or another name).`,
          reinstall,
        ),
      ],
      launcher: null,
    };
  }
  const problem = manifestProblem(manifest, browser);
  if (problem)
    return { checks: [fail(`${id}.manifest`, title, `${location.file}: ${problem}`, reinstall)], launcher: null };
  const allowed = browser.family === 'firefox' ? manifest.allowed_extensions! : manifest.allowed_origins!;
  const checks: Check[] = [
    pass(`${id}.manifest`, title, `${location.file} (${location.via}); allows ${allowed.join(', ')}`),
  ];

  const launcher = resolveLauncherPath(manifest.path, location.file, platform);
  const launcherTitle = `${browser.name}: launcher`;
  if (!existsSync(launcher)) {
    checks.push(
      fail(`${id}.launcher`, launcherTitle, `the manifest names ${launcher}, which does not exist.`, reinstall),
    );
    return { checks, launcher: null };
  }
  if (platform !== 'win32' && !isExecutable(launcher)) {
    checks.push(
      fail(
        `${id}.launcher`,
        launcherTitle,
        `${launcher} is not executable, so the browser cannot start it.`,
        `${reinstall} (or: chmod +x '${launcher}')`,
      ),
    );
    return { checks, launcher: null };
  }
  const targets = launcherTargets(safeRead(launcher) ?? '');
  if (!targets) {
    checks.push(
      pass(
        `${id}.launcher`,
        launcherTitle,
        `${launcher} (not written by mxlens install: its contents are not checked)`,
      ),
    );
    return { checks, launcher };
  }
  checks.push(pass(`${id}.launcher`, launcherTitle, `${launcher} runs ${targets.nodePath} ${targets.hostScript} host`));

  const nodeTitle = `${browser.name}: Node and MX Lens found`;
  if (!existsSync(targets.nodePath)) {
    checks.push(
      fail(
        `${id}.node`,
        nodeTitle,
        `the launcher runs Node at ${targets.nodePath}, which is gone (Node was moved, upgraded or uninstalled?).`,
        `run mxlens install again with the Node you use now: ${reinstall}`,
      ),
    );
    return { checks, launcher: null };
  }
  const nodeVersion = readNodeVersion(targets.nodePath);
  if (nodeVersion !== null && nodeVersion.major < 20) {
    checks.push(
      fail(
        `${id}.node`,
        nodeTitle,
        `the launcher runs Node ${nodeVersion.text} at ${targets.nodePath}; MX Lens needs Node 20 or newer.`,
        `install Node 20+, then run with it: ${reinstall}`,
      ),
    );
    return { checks, launcher: null };
  }
  if (!existsSync(targets.hostScript)) {
    checks.push(
      fail(
        `${id}.node`,
        nodeTitle,
        `the launcher runs ${targets.hostScript}, which is gone (moved, or not built).`,
        `run "npm run build" in the MX Lens folder, then ${reinstall}`,
      ),
    );
    return { checks, launcher: null };
  }
  checks.push(
    pass(
      `${id}.node`,
      nodeTitle,
      `Node ${nodeVersion?.text ?? '(version unknown)'} at ${targets.nodePath}; host ${targets.hostScript}`,
    ),
  );
  return { checks, launcher };
}

function manifestProblem(manifest: HostManifest, browser: Pick<Browser, 'family'>): string | null {
  if (manifest.type !== 'stdio') return `"type" is ${JSON.stringify(manifest.type)}, not "stdio"`;
  if (typeof manifest.path !== 'string' || manifest.path === '') return 'it names no launcher ("path")';
  if (browser.family === 'firefox') {
    const allowed = manifest.allowed_extensions;
    if (!Array.isArray(allowed)) return 'it has no "allowed_extensions" (a Chrome-style manifest where Firefox looks?)';
    if (!allowed.includes(FIREFOX_EXTENSION_ID))
      return `it does not allow the MX Lens add-on ${FIREFOX_EXTENSION_ID} (it allows ${allowed.join(', ') || 'nothing'})`;
    return null;
  }
  const origins = manifest.allowed_origins;
  if (!Array.isArray(origins))
    return 'it has no "allowed_origins" (a Firefox-style manifest where a Chromium browser looks?)';
  if (origins.length === 0) return 'it allows no extension ("allowed_origins" is empty)';
  return null;
}

function resolveLauncherPath(file: string, manifestFile: string, platform: NodeJS.Platform): string {
  // Absolute on Linux and macOS (required); on Windows a relative path is relative to the manifest.
  const p = pathsFor(platform);
  return p.isAbsolute(file) ? file : p.resolve(p.dirname(manifestFile), file);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function safeRead(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function readNodeVersion(nodePath: string): { text: string; major: number } | null {
  try {
    const text = execFileSync(nodePath, ['--version'], {
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const major = Number(/^v(\d+)\./.exec(text)?.[1]);
    return Number.isFinite(major) ? { text, major } : null;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------------ the host answers

export interface HostCommand {
  /** The program to start and its arguments (a launcher, or node + the host script). */
  command: string;
  args: string[];
  /** What is shown as the thing started. */
  label: string;
}

/** How a browser starts a launcher: directly, or through cmd.exe for a .bat file. */
export function launcherCommand(launcher: string, platform: NodeJS.Platform): HostCommand {
  const origin = `chrome-extension://${DEV_EXTENSION_ID}/`;
  if (platform === 'win32' && /\.(bat|cmd)$/i.test(launcher)) {
    // cmd /s /c strips the outer pair of quotes, leaving "launcher" origin (spaces in the path survive).
    return {
      command: process.env.ComSpec || 'cmd.exe',
      args: ['/d', '/s', '/c', `""${launcher}" ${origin}"`],
      label: launcher,
    };
  }
  return { command: launcher, args: [origin], label: launcher };
}

/** Starts the host the way a browser does, says hello, expects hello back within `timeoutMs`. */
export async function checkHostAnswers(
  id: string,
  title: string,
  host: HostCommand,
  timeoutMs = 5_000,
): Promise<Check> {
  const littleEndian = endianness() === 'LE';
  const fix =
    'run the launcher by hand to see its error messages; the host log (see the log check) has details. If the host command is missing, run "npm run build", then mxlens install';
  return new Promise<Check>((resolve) => {
    let stderr = '';
    let settled = false;
    const child = spawn(host.command, host.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsVerbatimArguments: host.command.toLowerCase().endsWith('cmd.exe'),
    });
    const finish = (check: Check) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdin.end();
      // Give it a moment to stop on its own (stdin closed), then make sure it is gone.
      setTimeout(() => child.kill(), 1_000).unref();
      resolve(check);
    };
    const timer = setTimeout(() => {
      finish(
        fail(
          id,
          title,
          `${host.label} started but gave no hello reply within ${timeoutMs / 1000} s.${tail(stderr)}`,
          fix,
        ),
      );
    }, timeoutMs);
    const reader = new FrameReader({ littleEndian, maxFrameBytes: 64 * 1024 * 1024 });
    child.stdout.on('data', (chunk: Buffer) => {
      for (const event of reader.push(chunk)) {
        if (event.kind !== 'frame') continue;
        const decoded = decodeBody(event.body);
        const reply = decoded.ok ? (decoded.value as Record<string, unknown>) : null;
        if (reply?.type === 'hello' && reply.protocol === PROTOCOL_VERSION) {
          finish(
            pass(
              id,
              title,
              `${host.label} answered hello: mxlens ${String(reply.version)}, protocol ${PROTOCOL_VERSION}`,
            ),
          );
        } else if (reply?.type === 'error') {
          finish(
            fail(
              id,
              title,
              `${host.label} refused hello: ${String(reply.message)}`,
              'install matching versions of the MX Lens extension and host',
            ),
          );
        } else {
          finish(
            fail(
              id,
              title,
              `${host.label} answered something else than hello: ${decoded.ok ? JSON.stringify(decoded.value).slice(0, 200) : decoded.message}`,
              fix,
            ),
          );
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-4_000);
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) =>
      finish(fail(id, title, `${host.label} could not be started: ${error.code ?? describe(error)}`, fix)),
    );
    child.on('exit', (code, signal) => {
      // Let the stdout data already read be handled first.
      setImmediate(() =>
        finish(
          fail(
            id,
            title,
            `${host.label} exited (${signal ?? `code ${code}`}) without answering hello.${tail(stderr)}`,
            fix,
          ),
        ),
      );
    });
    child.stdin.write(
      encodeFrame({ type: 'hello', id: 1, protocol: PROTOCOL_VERSION, extension: VERSION }, { littleEndian }),
    );
  });
}

function tail(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean).slice(-3);
  return lines.length ? ` Its last words: ${lines.join(' | ')}` : '';
}

// ------------------------------------------------------------------------ settings and log

export function checkSettings(settings: Settings): Check {
  const title = 'Settings';
  if (settings.problems.length === 0) {
    return pass(
      'settings',
      title,
      `no problems (config file: ${settings.configFile}${existsSync(settings.configFile) ? '' : ', not present: defaults'})`,
    );
  }
  const listed = settings.problems.map((problem) => `${problem.setting}: ${problem.message}`).join('\n');
  return fail(
    'settings',
    title,
    `${settings.problems.length} setting(s) ignored:\n${listed}`,
    `correct or remove them (config file: ${settings.configFile}; environment variables MXLENS_*). See: mxlens config show`,
  );
}

export function checkLog(settings: Settings): Check {
  const title = 'Log file';
  if (!settings.logFile)
    return pass('log', title, 'no log file (MXLENS_LOG or "logFile" is empty): the host logs to stderr only');
  const file = settings.logFile;
  const size = existsSync(file) ? `, ${statSync(file).size} bytes` : ', not written yet';
  let folder = path.dirname(file);
  while (!existsSync(folder) && path.dirname(folder) !== folder) folder = path.dirname(folder);
  try {
    accessSync(existsSync(file) ? file : folder, constants.W_OK);
  } catch {
    return fail(
      'log',
      title,
      `${file}: cannot be written (${existsSync(file) ? 'the file' : folder} is not writable)`,
      'set MXLENS_LOG (or "logFile" in the config file) to a file you can write',
    );
  }
  return pass('log', title, `${file}${size}`);
}

// ------------------------------------------------------------------------ the network

export interface MailServer {
  name: string;
  address: string;
}

/** Can we find the mail servers of `domain`? Returns the first one for the port-25 check. */
export async function checkDns(domain: string, servers: string[]): Promise<{ check: Check; first: MailServer | null }> {
  const title = `DNS: mail servers of ${domain}`;
  const via = servers.length ? servers.join(', ') : "the system's DNS servers";
  const fix = servers.length
    ? `check that ${via} answer DNS queries, or use others: --dns 1.1.1.1, MXLENS_DNS or "dns" in the config file`
    : 'check the internet connection; or name DNS servers: --dns 1.1.1.1, MXLENS_DNS=1.1.1.1 or "dns" in the config file';
  const dns = new MailDns({ servers, timeoutMs: 3_000, tries: 2 });
  let routing;
  try {
    routing = await dns.resolveMailRouting(domain);
  } catch (error) {
    return { check: fail('dns', title, `asking ${via} failed: ${describe(error)}`, fix), first: null };
  }
  switch (routing.kind) {
    case 'hosts': {
      const hosts = routing.hosts.map((host) => `${host.name} (${host.addresses.join(', ')})`).join(', ');
      const firstHost = routing.hosts[0]!;
      const first = { name: firstHost.name, address: firstHost.addresses[0]! };
      const kind = firstHost.implicit ? 'no MX record; the domain itself' : 'MX';
      return { check: pass('dns', title, `${kind}: ${hosts}, asked ${via}`), first };
    }
    case 'null_mx':
      return {
        check: fail(
          'dns',
          title,
          `${domain} publishes a null MX (it takes no mail): pick another test domain`,
          'use --mx-domain with a domain that receives mail, e.g. gmail.com',
        ),
        first: null,
      };
    case 'no_such_domain':
      return {
        check: fail(
          'dns',
          title,
          `${via} say ${domain} does not exist (NXDOMAIN)`,
          `check the spelling of --mx-domain; if ${domain} does exist, DNS does not work from here: ${fix}`,
        ),
        first: null,
      };
    case 'no_mail_server':
      return {
        check: fail(
          'dns',
          title,
          `${routing.detail}`,
          'use --mx-domain with a domain that receives mail, e.g. gmail.com',
        ),
        first: null,
      };
    case 'dns_error':
      return { check: fail('dns', title, `asking ${via}: ${routing.detail}`, fix), first: null };
  }
}

/** A mail server's address: an IP as given, else its A (then AAAA) record through the configured DNS servers. */
export async function resolveMailServer(name: string, servers: string[]): Promise<MailServer | null> {
  if (isIP(name)) return { name, address: name };
  const resolver = new Resolver({ timeout: 3_000, tries: 2 });
  if (servers.length > 0) resolver.setServers(servers);
  for (const lookup of [() => resolver.resolve4(name), () => resolver.resolve6(name)]) {
    const addresses = await lookup().catch(() => [] as string[]);
    if (addresses.length > 0) return { name, address: addresses[0]! };
  }
  return null;
}

/** Can this machine open TCP port 25 to a mail server (through the proxy when one is set)? */
export async function checkPort25(
  target: MailServer | null,
  options: {
    port: number;
    proxy: SocksProxy | null;
    allowPrivate: boolean;
    configFile: string;
    timeoutMs?: number;
    why?: string;
  },
): Promise<Check> {
  const title = `Outbound port ${options.port}`;
  const proxyAdvice =
    'Most home and cloud networks block outbound port 25; then every check ends "unknown" (reason connection_failed). ' +
    'Run MX Lens on a network that allows port 25, or send it through a SOCKS5 proxy on a machine that can reach port 25: ' +
    `set MXLENS_PROXY=socks5://HOST:1080 (or "proxy": "socks5://HOST:1080" in ${options.configFile}).`;
  if (!target) {
    return fail(
      'port25',
      title,
      `not tested: ${options.why ?? 'no mail server to connect to'}`,
      'fix the DNS check first, or name a mail server with --mx-host',
    );
  }
  const timeoutMs = options.timeoutMs ?? 5_000;
  const where = `${target.name} (${target.address}) port ${options.port}${options.proxy ? ` through ${describeProxy(options.proxy)}` : ''}`;
  const privateNote =
    !options.allowPrivate && nonPublicReason(target.address) !== null
      ? ` Note: ${target.address} is a ${nonPublicReason(target.address)} address, which mxlens refuses unless allow-private is set (--allow-private, MXLENS_ALLOW_PRIVATE=1).`
      : '';
  let socket;
  try {
    socket = await connectSocket({
      host: target.address,
      port: options.port,
      proxy: options.proxy ?? undefined,
      timeoutMs,
    });
  } catch (error) {
    const detail = `could not connect to ${where} within ${timeoutMs / 1000} s: ${describe(error)}.`;
    if (options.proxy) {
      return fail(
        'port25',
        title,
        detail,
        `check the SOCKS5 proxy ${describeProxy(options.proxy)} (is it running, does it allow port 25?). ${proxyAdvice}`,
      );
    }
    return fail('port25', title, `${detail}${privateNote}`, proxyAdvice);
  }
  const banner = await readBanner(socket, 3_000);
  return pass('port25', title, `connected to ${where}${banner ? `; it said: ${banner}` : ''}.${privateNote}`);
}

/**
 * doctor's port-25 check as the engine's second opinion (NetworkWatch): when a first connect
 * hangs, can this machine reach the probe domain's first mail server the same way?
 */
export function port25SecondOpinion(probeDomain: string, verify: VerifyOptions): AskSecondOpinion {
  return async (route) => {
    const notTested = { reachable: null, server: probeDomain, domain: probeDomain };
    // Only the proxy and the address family of the settings can be tested the same way.
    const proxy = verify.proxy ? `${verify.proxy.host}:${verify.proxy.port}` : null;
    if (route.proxy !== proxy || (route.proxy === null && route.family !== 4)) return notTested;
    const dns = await checkDns(probeDomain, verify.dnsServers);
    if (!dns.first || isIP(dns.first.address) !== 4) return notTested;
    const check = await checkPort25(dns.first, {
      port: route.port,
      proxy: verify.proxy,
      allowPrivate: verify.allowPrivate,
      configFile: 'the config file',
      timeoutMs: Math.min(5_000, stepTimeouts(verify.timeoutMs).connectTimeoutMs),
    });
    return { reachable: check.ok, server: dns.first.name, domain: probeDomain };
  };
}

/** The first line the server sends (its 220 greeting), then a polite QUIT. */
function readBanner(socket: Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.on('error', () => undefined);
      socket.end('QUIT\r\n');
      setTimeout(() => socket.destroy(), 500).unref();
      resolve(text.split('\r\n')[0]!.slice(0, 200).trim());
    };
    const timer = setTimeout(done, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}
