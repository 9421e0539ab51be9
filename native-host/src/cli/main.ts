import { VERSION } from '../version.js';
import { UsageError } from './usage-error.js';

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
  mxlens worker --redis URL [--source-address IP] [--proxy URL] [--concurrency N]
                                          run checks from the queue of "mxlens serve --redis URL"
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

// Each command is loaded when it is asked for: a start-up pays only for its own command (the
// host and `verify` are started often, and by the clock), never for the installer's or the
// doctor's code, and Fastify and SQLite stay out of every command but serve.
const COMMANDS: Record<string, () => Promise<Command>> = {
  verify: async () => {
    const { runVerify, VERIFY_HELP } = await import('./verify-command.js');
    return { run: runVerify, help: VERIFY_HELP };
  },
  host: async () => ({ run: (await import('../host/host.js')).runHost, help: HOST_HELP }),
  config: async () => {
    const { runConfig, CONFIG_HELP } = await import('./config-command.js');
    return { run: runConfig, help: CONFIG_HELP };
  },
  install: async () => {
    const { runInstall, INSTALL_HELP } = await import('../install/install-command.js');
    return { run: runInstall, help: INSTALL_HELP };
  },
  uninstall: async () => {
    const { runUninstall, INSTALL_HELP } = await import('../install/install-command.js');
    return { run: runUninstall, help: INSTALL_HELP };
  },
  doctor: async () => {
    const { runDoctor, DOCTOR_HELP } = await import('../doctor/doctor-command.js');
    return { run: runDoctor, help: DOCTOR_HELP };
  },
  // Its help comes from its own module: imported here statically, it would be bundled into the
  // entry, and a chunk importing the entry waits forever on the entry's top-level await.
  serve: async () => ({
    run: async (argv) => (await import('../server/serve-command.js')).runServe(argv),
    help: (await import('../server/serve-help.js')).SERVE_HELP,
  }),
  worker: async () => {
    const { runWorker, WORKER_HELP } = await import('../worker/worker-command.js');
    return { run: runWorker, help: WORKER_HELP };
  },
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
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!load) throw new UsageError(`unknown command "${name}" (try: mxlens --help)`);
    const command = await load();
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
