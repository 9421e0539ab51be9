import { endianness } from 'node:os';
import { defaultVerifyOptions } from '../engine/options.js';
import { errorReply, type HostMessage, type Request } from '../../shared/protocol/messages.js';
import { loadSettings } from '../settings.js';
import { VERSION } from '../version.js';
import { cancel } from './actions/cancel.js';
import { hello } from './actions/hello.js';
import { verify } from './actions/verify.js';
import { frameIntake, type FrameIntake } from './frame-intake.js';
import { FrameWriter } from './frame-writer.js';
import { defaultLogFile, guardStdout, HostLog } from './log.js';
import { HostState, type HostSettings } from './state.js';

// `mxlens host`: the native messaging host. The browser starts it, writes frames to its stdin
// and reads frames from its stdout. The main loop: read frames, validate, hand each request to
// its action (one per file in actions/), write the replies. Nothing but frames goes to stdout
// (frame-intake.ts reads, frame-writer.ts writes).

type Action = (state: HostState, request: never) => void | Promise<void>;

const ACTIONS: {
  [T in Request['type']]: (state: HostState, request: Extract<Request, { type: T }>) => void | Promise<void>;
} = {
  hello,
  verify,
  cancel,
};

/** How long in-flight verifies get to wind down, and stdout to drain, once stdin has closed. */
const WIND_DOWN_MS = 2_000;
const FLUSH_MS = 5_000;

export async function runHost(argv: string[]): Promise<number> {
  // Guard stdout before anything else runs (reading the settings included).
  const log = new HostLog(null);
  const writeStdout = guardStdout(log);
  const settings = startLog(log, argv);
  const littleEndian = endianness() === 'LE';
  const writer = new FrameWriter(writeStdout, littleEndian, log);
  const state = new HostState(settings, writer.send, log);
  const intake = frameIntake({ littleEndian, send: writer.send, dispatch: dispatchTo(state, writer.send, log), log });
  return serveStdio(state, writer, intake, log);
}

/** Reads the settings, logs who started the host and with what, and never lets an error crash it. */
function startLog(log: HostLog, argv: string[]): HostSettings {
  const { settings, settingsError } = readSettings();
  if (settings.logFile) log.useFile(settings.logFile);
  log.info(
    `mxlens ${VERSION} host started (node ${process.version}, ${process.platform}, log ${log.path ?? 'stderr only'})`,
  );
  logCaller(log, argv);
  if (settingsError) log.error('reading the settings failed; using the defaults:', settingsError);
  for (const problem of settings.problems) log.warn(`setting ${problem.setting}: ${problem.message}`);

  process.stderr.on('error', () => log.stopStderr());
  // Never crash on a stray exception: log it, keep serving.
  process.on('uncaughtException', (error) => log.error('uncaught exception:', error));
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection:', reason));
  return settings;
}

/** Each request to its action (one per file in actions/); a throw becomes an `internal` error reply. */
function dispatchTo(state: HostState, send: (message: HostMessage) => void, log: HostLog) {
  return (request: Request): void => {
    const fail = (error: unknown) => {
      log.error(`${request.type} ${JSON.stringify(request.id)} failed:`, error);
      send(
        errorReply(
          request.id,
          'internal',
          `the host failed on this ${request.type}: ${(error as Error)?.message ?? String(error)}`,
        ),
      );
    };
    try {
      const action = ACTIONS[request.type] as Action;
      const outcome = action(state, request as never);
      if (outcome instanceof Promise) outcome.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

/** Serves stdin until it ends (or stdout breaks), then winds down and resolves with the exit code. */
function serveStdio(state: HostState, writer: FrameWriter, intake: FrameIntake, log: HostLog): Promise<number> {
  let closing = false;
  const onData = (chunk: Buffer): void => {
    if (!closing) intake.push(chunk);
  };
  return new Promise<number>((resolve) => {
    const finish = async (why: string) => {
      if (closing) return;
      closing = true;
      process.stdin.off('data', onData);
      log.info(`${why}; stopping (${state.jobs.size} verifies running)`);
      if (intake.partialBytes > 0) log.warn(`stdin ended inside a frame (${intake.partialBytes} bytes unread)`);
      await state.shutdown(WIND_DOWN_MS);
      await writer.drain(FLUSH_MS);
      log.info('host stopped');
      // Sockets and DNS queries of aborted checks may still hold the event loop: do not wait for
      // them. Not unref'd: the host must end even if something keeps the loop busy.
      setTimeout(() => process.exit(0), 500);
      resolve(0);
    };

    process.stdout.on('error', (error) => {
      writer.markBroken();
      log.warn('stdout failed (the browser went away?):', error.message);
      void finish('stdout closed');
    });
    process.stdin.on('data', onData);
    process.stdin.once('end', () => void finish('stdin closed'));
    process.stdin.once('error', (error) => void finish(`stdin failed: ${error.message}`));
  });
}

function readSettings(): { settings: HostSettings; settingsError: unknown } {
  try {
    const loaded = loadSettings(process.env);
    const settings = {
      verify: loaded.verify,
      logFile: loaded.logFile,
      problems: [...loaded.problems],
      probeDomain: loaded.serve.probeDomain,
      server: loaded.server,
    };
    return { settings, settingsError: null };
  } catch (error) {
    const settings: HostSettings = {
      verify: defaultVerifyOptions(),
      logFile: defaultLogFile(),
      problems: [
        {
          setting: 'settings',
          message: `the settings could not be read (${(error as Error)?.message ?? String(error)}); defaults are used`,
        },
      ],
    };
    return { settings, settingsError: error };
  }
}

/**
 * Browsers start the host with arguments of their own: Chrome the caller's origin
 * (chrome-extension://<id>/) and on Windows --parent-window=<handle>; Firefox the path of the
 * host manifest and the add-on's id. None changes what the host does; they are logged.
 */
function logCaller(log: HostLog, argv: string[]): void {
  if (argv.length === 0) {
    log.info('started without arguments (by hand?)');
    return;
  }
  const described = argv.map((arg) => {
    if (/^chrome-extension:\/\//.test(arg)) return `Chrome extension origin ${arg}`;
    if (/^--parent-window=/.test(arg)) return `Chrome parent window ${arg.slice('--parent-window='.length)}`;
    if (/\.json$/i.test(arg)) return `Firefox host manifest ${arg}`;
    if (/^[^\s/\\]+@[^\s/\\]+$|^\{[0-9a-f-]+\}$/i.test(arg)) return `Firefox add-on ${arg}`;
    return `argument ${JSON.stringify(arg)}`;
  });
  log.info(`started by: ${described.join('; ')}`);
}
