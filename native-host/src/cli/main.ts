import { UsageError } from './usage-error.js';
import { runVerify, VERIFY_HELP } from './verify-command.js';
import { VERSION } from '../version.js';

const HELP = `mxlens ${VERSION}: does this mailbox exist? Asks the mail server, sends no mail.

Usage:
  mxlens verify [options] [address ...]   check addresses (mxlens verify --help)
  mxlens --version
`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  verify: runVerify,
  host: (argv) => import('../host/host.js').then(({ runHost }) => runHost(argv)),
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
      process.stdout.write(name === 'verify' ? VERIFY_HELP : HELP);
      return 0;
    }
    return await command(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`mxlens: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`mxlens: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
