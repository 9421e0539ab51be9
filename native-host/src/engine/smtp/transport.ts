import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { SocksProxy } from '../../../shared/protocol/messages.js';

// Opening the byte stream an SMTP session runs over: TCP (directly or through SOCKS5) and
// the STARTTLS upgrade. Every step is bounded by a timeout and an optional AbortSignal, and
// whatever fails destroys its socket.

export type TransportFailureKind = 'connection' | 'timeout' | 'tls' | 'aborted';

export class TransportFailure extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'TransportFailure';
  }
}

export interface ConnectOptions {
  host: string;
  port: number;
  proxy?: SocksProxy;
  localAddress?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A connected TCP socket to host:port (through the proxy when one is given). */
export function connectSocket(opts: ConnectOptions): Promise<net.Socket> {
  const { proxy } = opts;
  const socket = net.connect({
    host: proxy?.host ?? opts.host,
    port: proxy?.port ?? opts.port,
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  });
  const where = proxy ? `SOCKS proxy ${proxy.host}:${proxy.port}` : `${opts.host}:${opts.port}`;
  return bounded(socket, opts.timeoutMs, opts.signal, `connecting to ${where}`, async () => {
    await settled(socket, 'connect');
    return proxy ? throughProxy(socket, proxy, opts) : socket;
  });
}

/** Runs the TLS handshake over an SMTP connection that has just been answered 220 to STARTTLS. */
export async function upgradeToTls(
  socket: net.Socket,
  serverName: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<TLSSocket> {
  const name = serverName.replace(/\.$/, '');
  // Loaded on first use: most sessions never reach STARTTLS before their answer, and every
  // start of the command and the host would pay for Node's TLS module.
  const tls = await import('node:tls');
  const secure = tls.connect({
    socket,
    host: name, // checked against the certificate
    // RFC 6066 forbids an IP address as SNI; domain literals go without.
    ...(net.isIP(name) ? {} : { servername: name }),
    // We only probe; a bad certificate is reported (certificateValid), not fatal.
    rejectUnauthorized: false,
  });
  return bounded(secure, timeoutMs, signal, 'the TLS handshake', async () => {
    try {
      await settled(secure, 'secureConnect');
    } catch (error) {
      throw new TransportFailure('tls', `TLS handshake failed: ${describe(error)}`);
    }
    return secure;
  }).catch((error: unknown) => {
    socket.destroy();
    throw error;
  });
}

async function throughProxy(socket: net.Socket, proxy: SocksProxy, opts: ConnectOptions): Promise<net.Socket> {
  // Loaded on first use: the SOCKS client and its IP address library are most of the bundle's
  // start-up work, and most runs have no proxy.
  const { SocksClient } = await import('socks');
  const { socket: tunnel } = await SocksClient.createConnection({
    proxy: { host: proxy.host, port: proxy.port, type: 5, userId: proxy.userId, password: proxy.password },
    command: 'connect',
    destination: { host: opts.host, port: opts.port },
    existing_socket: socket,
    timeout: opts.timeoutMs,
  });
  return tunnel as net.Socket;
}

/**
 * Runs `work` on `socket` within timeoutMs and until the signal aborts; on any failure the
 * socket is destroyed and the error becomes a TransportFailure.
 */
async function bounded<S extends net.Socket, T>(
  socket: S,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new TransportFailure('timeout', `${what} took longer than ${timeoutMs} ms`)),
      Math.max(0, timeoutMs),
    );
    onAbort = () => reject(new TransportFailure('aborted', `aborted while ${what}`));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const running = work();
  running.catch(() => undefined); // it may lose the race and fail later
  try {
    return await Promise.race([running, limit]);
  } catch (error) {
    socket.destroy();
    if (error instanceof TransportFailure) throw error;
    throw new TransportFailure('connection', `${what} failed: ${describe(error)}`);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** Resolves on `event`, rejects on 'error' or an early 'close'; leaves no listener behind. */
function settled(socket: net.Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off(event, onEvent);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const onEvent = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('connection closed'));
    };
    socket.on(event, onEvent);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
