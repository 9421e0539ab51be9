import net from 'node:net';

// A minimal SOCKS5 proxy (RFC 1928, with RFC 1929 user/password) for the --proxy tests:
// CONNECT only, to IPv4, IPv6 or domain targets, and it records what it was asked to reach.

export interface Socks5Proxy {
  port: number;
  /** "host:port" of every CONNECT, in order. */
  readonly connects: string[];
  stop(): Promise<void>;
}

export async function startSocks5Proxy(options: {
  host: string;
  credentials?: { user: string; password: string };
}): Promise<Socks5Proxy> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    void handshake(client, options.credentials, connects, sockets).catch(() => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, options.host, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connects,
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function handshake(
  client: net.Socket,
  credentials: { user: string; password: string } | undefined,
  connects: string[],
  sockets: Set<net.Socket>,
): Promise<void> {
  const { read, release } = byteReader(client);
  const [version, methodCount] = await read(2);
  if (version !== 5) throw new Error('not SOCKS5');
  const methods = await read(methodCount!);
  const wanted = credentials ? 0x02 : 0x00;
  if (!methods.includes(wanted)) {
    client.end(Buffer.from([5, 0xff]));
    return;
  }
  client.write(Buffer.from([5, wanted]));
  if (credentials) {
    const [, userLength] = await read(2);
    const user = (await read(userLength!)).toString();
    const [passwordLength] = await read(1);
    const password = (await read(passwordLength!)).toString();
    const ok = user === credentials.user && password === credentials.password;
    client.write(Buffer.from([1, ok ? 0 : 1]));
    if (!ok) return void client.end();
  }
  const [, command, , addressType] = await read(4);
  const host =
    addressType === 1
      ? [...(await read(4))].join('.')
      : addressType === 4
        ? ipv6Text(await read(16))
        : (await read((await read(1))[0]!)).toString();
  const port = (await read(2)).readUInt16BE(0);
  if (command !== 1) return void client.end(Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]));
  connects.push(`${host}:${port}`);
  const upstream = net.connect({ host, port });
  sockets.add(upstream);
  upstream.on('close', () => sockets.delete(upstream));
  upstream.once('connect', () => {
    release();
    client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
    client.pipe(upstream).pipe(client);
  });
  upstream.once('error', () => client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
}

function ipv6Text(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** Reads exact byte counts from a socket until released (SMTP clients wait for the reply). */
function byteReader(socket: net.Socket): { read(count: number): Promise<Buffer>; release(): void } {
  let buffered = Buffer.alloc(0);
  let waiter: (() => void) | null = null;
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    waiter?.();
  };
  socket.on('data', onData);
  socket.once('close', () => waiter?.());
  return {
    async read(count) {
      while (buffered.length < count) {
        if (socket.destroyed) throw new Error('closed');
        await new Promise<void>((resolve) => (waiter = resolve));
      }
      const taken = buffered.subarray(0, count);
      buffered = buffered.subarray(count);
      return taken;
    },
    release: () => socket.off('data', onData),
  };
}
