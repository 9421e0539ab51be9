import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { settingRow } from '../../shared/settings/table.js';
import { flagValue } from '../cli/verify-args.js';
import { escapeForTerminal } from '../cli/terminal-text.js';
import { parseStrictArgs, UsageError } from '../cli/usage-error.js';
import { BROWSERS, detectBrowsers, type SystemContext } from '../install/browsers.js';
import { bundledHostScript } from '../install/environment.js';
import { HOST_NAME, parseOurManifest } from '../install/manifest.js';
import { loadSettings } from '../settings.js';
import { VERSION } from '../version.js';
import {
  checkBrowser,
  checkDns,
  checkHostAnswers,
  checkLog,
  checkPort25,
  checkSettings,
  findManifest,
  launcherCommand,
  resolveMailServer,
  type Check,
} from './checks.js';

// `mxlens doctor`: is everything in place for the extension to work? Plain-language findings,
// each problem with its fix; exit code 1 when anything is wrong.

export const DOCTOR_HELP = `Usage: mxlens doctor [options]

Checks the browser registrations, that the host answers, the settings, DNS, and whether this
machine can reach mail servers on port 25. Says how to fix each problem found.
Exit code 0 when all is well, 1 otherwise.

Options:
  --json              one JSON object: { ok, checks: [{ id, ok, title, detail, fix }] }
  --dns HOST[:PORT]   DNS server to use (repeatable; default: the settings', else the system's)
  --mx-domain DOMAIN  domain whose mail servers are looked up (default gmail.com)
  --mx-host HOST      mail server for the port 25 test (default: the first of --mx-domain)
  --dir DIR           check the host installed with "mxlens install --dir DIR"
`;

const DEFAULT_MX_DOMAIN = 'gmail.com';

export async function runDoctor(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  const settings = loadSettings();
  const dnsServers = flags.dns ?? settings.verify.dnsServers;
  const ctx: SystemContext = { platform: process.platform, home: homedir(), env: process.env };

  // Browsers: every one found on this machine or registered, and what their manifests lead to.
  const browserChecks: Check[] = [];
  const launchers = new Set<string>();
  if (flags.dir !== null) {
    const file = path.join(flags.dir, `${HOST_NAME}.json`);
    const manifest = existsSync(file) ? parseOurManifest(safeRead(file)) : null;
    const family = manifest?.allowed_extensions ? 'firefox' : 'chromium';
    const result = checkBrowser(
      { id: 'chrome', name: `${flags.dir}`, family },
      existsSync(file) ? { file, via: '--dir' } : null,
      ctx.platform,
      `run: mxlens install --dir '${flags.dir}'`,
    );
    browserChecks.push(
      ...result.checks.map((check) => ({ ...check, id: check.id.replace(/^browser\.chrome/, 'dir') })),
    );
    if (result.launcher) launchers.add(result.launcher);
  } else {
    const detected = new Set(detectBrowsers(ctx).map((found) => found.browser.id));
    const located = BROWSERS.map((browser) => ({ browser, location: findManifest(browser, ctx) }));
    const anyRegistered = located.some(({ location }) => location !== null);
    for (const { browser, location } of located) {
      if (!location && !detected.has(browser.id)) continue;
      if (!location && anyRegistered) {
        // Installed but not registered, while another browser is: probably not used with MX Lens.
        browserChecks.push({
          id: `browser.${browser.id}.manifest`,
          ok: true,
          title: `${browser.name}: host registered`,
          detail: `${browser.name} is on this machine but MX Lens is not registered for it. If you use MX Lens in ${browser.name}: mxlens install --browser ${browser.id}`,
          fix: null,
        });
        continue;
      }
      const result = checkBrowser(browser, location, ctx.platform);
      browserChecks.push(...result.checks);
      if (result.launcher) launchers.add(result.launcher);
    }
    if (browserChecks.length === 0) {
      browserChecks.push({
        id: 'browsers',
        ok: false,
        title: 'Browsers',
        detail: `no supported browser found (${BROWSERS.map((b) => b.name).join(', ')}) and no MX Lens host registered for any.`,
        fix: 'install a supported browser, then run: mxlens install (or register anyway: mxlens install --browser all)',
      });
    }
  }

  // The host: started through each launcher found, like a browser does; else directly.
  const hostRuns: Array<Promise<Check>> = [];
  if (launchers.size > 0) {
    let n = 0;
    for (const launcher of launchers) {
      n++;
      hostRuns.push(
        checkHostAnswers(
          n === 1 ? 'host' : `host.${n}`,
          `Host answers (${launcher})`,
          launcherCommand(launcher, ctx.platform),
        ),
      );
    }
  } else {
    const script = bundledHostScript();
    hostRuns.push(
      existsSync(script)
        ? checkHostAnswers('host', 'Host answers (started directly: no launcher registered)', {
            command: process.execPath,
            args: [script, 'host'],
            label: `node ${script} host`,
          })
        : Promise.resolve({
            id: 'host',
            ok: false,
            title: 'Host answers',
            detail: `the host is not built: ${script} is missing`,
            fix: 'run "npm run build" in the MX Lens folder',
          }),
    );
  }

  // The network: DNS, then port 25 to the first mail server (or the one named).
  const network = (async () => {
    const dns = await checkDns(flags.mxDomain, dnsServers);
    let target = dns.first;
    let why = `the mail servers of ${flags.mxDomain} were not found`;
    if (flags.mxHost !== null) {
      target = await resolveMailServer(flags.mxHost, dnsServers);
      why = `${flags.mxHost} has no address record`;
    }
    const port25 = await checkPort25(target, {
      port: settings.verify.smtpPort,
      proxy: settings.verify.proxy,
      allowPrivate: settings.verify.allowPrivate,
      configFile: settings.configFile,
      why,
    });
    return [dns.check, port25];
  })();

  const [hostChecks, networkChecks] = await Promise.all([Promise.all(hostRuns), network]);
  const checks = [...browserChecks, ...hostChecks, checkSettings(settings), ...networkChecks, checkLog(settings)];
  const ok = checks.every((check) => check.ok);

  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ ok, version: VERSION, node: process.version, platform: process.platform, checks })}\n`,
    );
  } else {
    process.stdout.write(formatReport(checks, ok));
  }
  return ok ? 0 : 1;
}

function formatReport(checks: Check[], ok: boolean): string {
  const color = process.stdout.isTTY && !process.env.NO_COLOR;
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const lines = [`MX Lens doctor: mxlens ${VERSION}, Node ${process.version}, ${process.platform}`, ''];
  for (const check of checks) {
    // Details quote mail servers, DNS and files: shown, never obeyed (cli/terminal-text.ts).
    lines.push(`  ${check.ok ? paint('32', 'ok  ') : paint('31', 'FAIL')}  ${escapeForTerminal(check.title)}`);
    for (const line of check.detail.split('\n')) lines.push(`        ${escapeForTerminal(line)}`);
    if (check.fix) lines.push(`        ${paint('1', 'Fix:')} ${escapeForTerminal(check.fix)}`);
  }
  const failed = checks.filter((check) => !check.ok).length;
  lines.push('', ok ? 'All good.' : `${failed} problem${failed === 1 ? '' : 's'} found.`, '');
  return lines.join('\n');
}

interface DoctorFlags {
  json: boolean;
  dns: string[] | null;
  mxDomain: string;
  mxHost: string | null;
  dir: string | null;
}

function parseFlags(argv: string[]): DoctorFlags {
  const { values } = parseStrictArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      json: { type: 'boolean' },
      dns: { type: 'string', multiple: true },
      'mx-domain': { type: 'string' },
      'mx-host': { type: 'string' },
      dir: { type: 'string' },
    },
  });
  const domain = (values['mx-domain'] ?? DEFAULT_MX_DOMAIN).trim().replace(/\.$/, '').toLowerCase();
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(domain) && !/^[a-z0-9-]+$/i.test(domain)) {
    throw new UsageError(`--mx-domain takes a domain name, not "${values['mx-domain']}"`);
  }
  if (values.dir === '') throw new UsageError('--dir needs a folder');
  return {
    json: values.json ?? false,
    dns: values.dns ? (flagValue(settingRow('dns'), values.dns) as string[]) : null,
    mxDomain: domain,
    mxHost: values['mx-host']?.trim() || null,
    dir: values.dir === undefined ? null : path.resolve(values.dir),
  };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
