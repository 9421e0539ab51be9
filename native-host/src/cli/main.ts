import { DOCTOR_HELP, runDoctor } from '../doctor/doctor-command.js';
import { runHost } from '../host/host.js';
import { INSTALL_HELP, runInstall, runUninstall } from '../install/install-command.js';
import { SERVE_HELP } from '../server/serve-help.js';
import { VERSION } from '../version.js';
import { CONFIG_HELP, runConfig } from './config-command.js';
import { UsageError } from './usage-error.js';
import { runVerify, VERIFY_HELP } from './verify-command.js';

const HELP = `mxlens ${VERSION}: does this mailbox exist? Asks the mail server, sends no mail.

Usage:
  mxlens verify [options] [address ...]   check addresses (mxlens verify --help)
  mxlens install [--browser NAME] [--system] [--dir DIR] [--extension-id ID] [--dry-run]
                                          register the host with your browsers
  mxlens uninstall [--browser NAME] [--system] [--dir DIR] [--dry-run]
                                          remove exactly what install wrote
  mxlens doctor [--json] [--dns HOST[:PORT]] [--mx-domain DOMAIN] [--mx-host HOST] [--dir DIR]
                                          find what keeps MX Lens from working, and how to fix it
  mxlens config path | show               where the config file is; the settings in force
  mxlens serve [--listen HOST:PORT] [--data DIR] [--tls-cert F --tls-key F]
                                          run the checks as an HTTP service for a team (mxlens serve --help)
  mxlens --version
`;

interface Command {
  run: (argv: string[]) => Promise<number>;
  help: string;
}

const HOST_HELP = `Usage: mxlens host

The native messaging host: browsers start it (through the launcher that "mxlens install"
writes) and speak framed JSON on stdin/stdout, as PROTOCOL.md describes. Not for typing.
`;

const COMMANDS: Record<string, Command> = {
  verify: { run: runVerify, help: VERIFY_HELP },
  host: { run: runHost, help: HOST_HELP },
  config: { run: runConfig, help: CONFIG_HELP },
  install: { run: runInstall, help: INSTALL_HELP },
  uninstall: { run: runUninstall, help: INSTALL_HELP },
  doctor: { run: runDoctor, help: DOCTOR_HELP },
  // Loaded only for serve: Fastify and SQLite stay out of every other command's start-up.
  serve: { run: async (argv) => (await import('../server/serve-command.js')).runServe(argv), help: SERVE_HELP },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) {
      process.stderr.write(HELP);
      return 2;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    if (name === '--version' || name === '-v') {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command "${name}" (try: mxlens --help)`);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(command.help);
      return 0;
    }
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`mxlens: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`mxlens: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
