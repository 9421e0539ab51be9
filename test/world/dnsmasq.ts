// dnsmasq serving the test world's DNS on loopback (see world-map.ts for the data).

import { spawn, type ChildProcess } from 'node:child_process';
import { promises as dns } from 'node:dns';
import dgram from 'node:dgram';
import type { WorldDomain, WorldServer } from './world-map.js';

export interface DnsMap {
  domains: readonly WorldDomain[];
  servers: readonly WorldServer[];
}

export interface DnsHandle {
  /** `host:port`, ready for Resolver#setServers. */
  server: string;
  /** The dnsmasq arguments used (handy when a test fails). */
  args: string[];
  /** Everything dnsmasq wrote to stderr (its log; queries too when logQueries is set). */
  log(): string;
  stop(): Promise<void>;
}

export interface DnsOptions {
  host?: string;
  port?: number;
  /** Log every query to the captured log (--log-queries). */
  logQueries?: boolean;
  /** How long to wait for the first answer. */
  readyTimeoutMs?: number;
  /** UDP port (on `host`) of the SERVFAIL responder behind 'servfail' zones; default port + 1. */
  servfailPort?: number;
}

/** The dnsmasq flags that serve `map` (without the listening options). */
function dnsmasqRecordArgs(map: DnsMap, servfailServer = '127.0.0.1#5354'): string[] {
  const args: string[] = [];
  const localZones = new Set<string>(['test']);
  const hosts = new Map<string, { v4: Set<string>; v6: Set<string> }>();
  const addHost = (name: string, ip: string) => {
    const entry = hosts.get(name) ?? { v4: new Set<string>(), v6: new Set<string>() };
    (ip.includes(':') ? entry.v6 : entry.v4).add(ip);
    hosts.set(name, entry);
  };

  for (const domain of map.domains) {
    if (!domain.name.endsWith('.test')) {
      // A real name (e.g. a disposable-mail domain): answer it locally, never forward.
      localZones.add(domain.name);
    }
    const d = domain.dns;
    switch (d.kind) {
      case 'mx':
        for (const { exchange, priority } of d.mx) args.push(`--mx-host=${domain.name},${exchange},${priority}`);
        break;
      case 'null-mx':
        // RFC 7505: preference 0, exchange "." (raw RDATA 00 00 00).
        args.push(`--dns-rr=${domain.name},15,000000`);
        break;
      case 'a-only':
        for (const ip of [...(d.ipv4 ?? []), ...(d.ipv6 ?? [])]) addHost(domain.name, ip);
        break;
      case 'txt-only':
        args.push(`--txt-record=${domain.name},${d.txt}`);
        break;
      case 'servfail':
        // dnsmasq relays the SERVFAIL of the upstream responder (see startServfailResponder).
        args.push(`--server=/${domain.name}/${servfailServer}`);
        break;
      case 'timeout':
        // Forwarded to a port where nothing listens: dnsmasq never answers.
        args.push(`--server=/${domain.name}/127.0.0.1#9`);
        break;
    }
  }
  for (const server of map.servers) {
    for (const name of server.names) addHost(name, server.ip);
  }
  for (const [name, { v4, v6 }] of hosts) {
    for (const ip of [...v4, ...v6]) args.push(`--host-record=${name},${ip}`);
  }
  return [...[...localZones].map((zone) => `--local=/${zone}/`), ...args];
}

export async function startDns(map: DnsMap, options: DnsOptions = {}): Promise<DnsHandle> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 5353;
  const servfailPort = options.servfailPort ?? port + 1;
  const servfail = await startServfailResponder(host, servfailPort);
  const args = [
    '--pdeathsig',
    'KILL',
    '--',
    'dnsmasq',
    '--no-daemon',
    '--conf-file=/dev/null',
    '--pid-file',
    // Stay root (also the mapped root of `unshare -r`): switching user would clear pdeathsig.
    '--user=root',
    '--group=root',
    `--port=${port}`,
    `--listen-address=${host}`,
    '--bind-interfaces',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--log-facility=-',
    ...(options.logQueries ? ['--log-queries'] : []),
    ...dnsmasqRecordArgs(map, `${host}#${servfailPort}`),
  ];
  let log = '';
  // setpriv --pdeathsig: dnsmasq dies with us even if we are killed without cleanup.
  const child = spawn('setpriv', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-200_000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      process.off('exit', killOnExit);
      resolve(code);
    });
    child.once('error', (err) => {
      append(Buffer.from(`spawn failed: ${err.message}\n`));
      resolve(-1);
    });
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await servfail.close();
  };

  const server = `${host}:${port}`;
  const probe = firstProbeName(map);
  try {
    await waitUntilAnswering(server, probe, options.readyTimeoutMs ?? 5000, child, exited);
  } catch (err) {
    await stop();
    throw new Error(`dnsmasq did not start: ${(err as Error).message}\nargs: ${args.join(' ')}\nlog:\n${log}`);
  }
  return { server, args: args.slice(3), log: () => log, stop };
}

function firstProbeName(map: DnsMap): string {
  const withMx = map.domains.find((d) => d.dns.kind === 'mx');
  if (!withMx) throw new Error('the DNS map needs at least one domain with MX records');
  return withMx.name;
}

async function waitUntilAnswering(
  server: string,
  name: string,
  timeoutMs: number,
  child: ChildProcess,
  exited: Promise<number | null>,
): Promise<void> {
  const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([server]);
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`dnsmasq exited (code ${child.exitCode}, signal ${child.signalCode})`);
    try {
      const answer = await resolver.resolveMx(name);
      if (answer.length > 0) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no MX answer for ${name} from ${server} within ${timeoutMs} ms (${String(lastError)})`);
}

/** A UDP DNS "server" that answers every query with SERVFAIL (question echoed, no records). */
async function startServfailResponder(host: string, port: number): Promise<{ close(): Promise<void> }> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', (query, peer) => {
    if (query.length < 12 || query[2]! & 0x80) return; // too short, or a response
    let end = 12; // skip the first question's name, then QTYPE + QCLASS
    while (end < query.length && query[end] !== 0) end += query[end]! + 1;
    end = Math.min(end + 5, query.length);
    const reply = Buffer.from(query.subarray(0, end));
    reply[2] = 0x80 | (query[2]! & 0x79); // QR, keep opcode + RD
    reply[3] = 0x80 | 2; // RA, RCODE 2 = SERVFAIL
    reply.writeUInt16BE(end > 12 ? 1 : 0, 4);
    reply.writeUInt16BE(0, 6);
    reply.writeUInt16BE(0, 8);
    reply.writeUInt16BE(0, 10);
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return { close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}
