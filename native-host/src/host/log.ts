import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { format } from 'node:util';

// The host's log: stdout belongs to the browser (frames only), so everything else goes to a
// log file and to stderr (Chrome and Firefox pass the host's stderr on to their own).

/** Where the log goes when the settings name no file. */
export function defaultLogFile(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'win32') {
    const base = env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local');
    return path.win32.join(base, 'mxlens', 'host.log');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Logs', 'mxlens', 'host.log');
  const state =
    env.XDG_STATE_HOME && path.posix.isAbsolute(env.XDG_STATE_HOME)
      ? env.XDG_STATE_HOME
      : path.posix.join(home, '.local', 'state');
  return path.posix.join(state, 'mxlens', 'host.log');
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ROTATE_AT_BYTES = 5 * 1024 * 1024;

export class HostLog {
  private file: string | null;
  private fileBytes = 0;
  private stderrOpen = true;

  constructor(
    file: string | null,
    private readonly toStderr: (text: string) => void = (text) => void process.stderr.write(text),
  ) {
    this.file = null;
    if (file) this.useFile(file);
  }

  /** From now on, also append to `file` (until then lines go to stderr only). */
  useFile(file: string): void {
    this.file = file;
    this.prepare(file);
  }

  get path(): string | null {
    return this.file;
  }

  /** The browser closed our stderr: writing on would only raise EPIPE after EPIPE. */
  stopStderr(): void {
    this.stderrOpen = false;
  }

  debug(...parts: unknown[]): void {
    this.write('debug', parts);
  }
  info(...parts: unknown[]): void {
    this.write('info', parts);
  }
  warn(...parts: unknown[]): void {
    this.write('warn', parts);
  }
  error(...parts: unknown[]): void {
    this.write('error', parts);
  }

  write(level: LogLevel, parts: unknown[]): void {
    const line = `${new Date().toISOString()} [${process.pid}] ${level}: ${format(...parts)}\n`;
    if (level !== 'debug' && this.stderrOpen) {
      try {
        this.toStderr(line);
      } catch {
        // stderr gone: the file still has it.
      }
    }
    if (!this.file) return;
    try {
      appendFileSync(this.file, line);
      this.fileBytes += line.length;
      if (this.fileBytes > ROTATE_AT_BYTES) this.prepare(this.file);
    } catch (error) {
      const file = this.file;
      this.file = null;
      this.toStderr(
        `mxlens host: cannot write the log file ${file}: ${(error as Error).message}; logging to stderr only\n`,
      );
    }
  }

  /** Creates the directory; keeps one old log (host.log.1) whenever the log passes 5 MiB. */
  private prepare(file: string): void {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
      if (size > ROTATE_AT_BYTES) renameSync(file, `${file}.1`);
      this.fileBytes = size > ROTATE_AT_BYTES ? 0 : size;
    } catch (error) {
      this.file = null;
      this.toStderr(
        `mxlens host: cannot use the log file ${file}: ${(error as Error).message}; logging to stderr only\n`,
      );
    }
  }
}

/**
 * In host mode nothing but frames may reach stdout: console.* goes to the log, and any other
 * write to process.stdout (a stray library print) is logged instead of sent. Returns the real
 * stdout writer, the only way left to write frames.
 */
export function guardStdout(log: HostLog): (chunk: Uint8Array, done?: (error?: Error | null) => void) => boolean {
  const stdout = process.stdout;
  const realWrite = stdout.write.bind(stdout) as (chunk: Uint8Array, done?: (error?: Error | null) => void) => boolean;

  console.log = (...parts: unknown[]) => log.info('console.log:', ...parts);
  console.info = (...parts: unknown[]) => log.info('console.info:', ...parts);
  console.debug = (...parts: unknown[]) => log.debug('console.debug:', ...parts);
  console.trace = (...parts: unknown[]) => log.debug('console.trace:', ...parts);
  console.dir = (item: unknown) => log.info('console.dir:', item);
  console.warn = (...parts: unknown[]) => log.warn('console.warn:', ...parts);
  console.error = (...parts: unknown[]) => log.error('console.error:', ...parts);

  stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    log.warn('stray write to stdout kept off the wire:', text.length > 500 ? `${text.slice(0, 500)}…` : text);
    const callback = rest.find((item): item is () => void => typeof item === 'function');
    if (callback) queueMicrotask(callback);
    return true;
  }) as typeof stdout.write;

  return realWrite;
}
