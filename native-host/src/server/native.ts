import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { checkDns, checkPort25, type Check } from '../doctor/checks.js';
import {
  LIMITS,
  PROTOCOL_VERSION,
  type DoneMessage,
  type RequestId,
  type ResultMessage,
} from '../../shared/protocol/messages.js';
import { validateRequest } from '../../shared/protocol/validate.js';
import { chargeQuota, checkAddresses, optionsFor, type ServerContext } from './context.js';
import { HttpError } from './errors.js';

// The native API: the extension's and the CLI's own requests, over HTTP.
//   POST /v1/verify   the native-messaging verify body → NDJSON: `result` per address, then `done`
//   GET  /v1/health   version, whether outbound port 25 works from here, the job store, queue
//                     depth (and with a distributed queue: its workers and per-MX pauses)

const PORT25_MEMORY_MS = 5 * 60_000;

export function nativeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/v1/verify',
    { schema: { body: { type: 'object' } }, bodyLimit: LIMITS.maxFrameBytes },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      if (body.type !== undefined && body.type !== 'verify') {
        throw new HttpError(
          400,
          'bad_request',
          `POST /v1/verify takes a verify request; \`type\` must be "verify" or absent, not ${JSON.stringify(body.type)}`,
        );
      }
      const validation = validateRequest({ ...body, type: 'verify', id: body.id ?? 'http' });
      if (!validation.ok) {
        const status = validation.error.code === 'too_many_addresses' ? 413 : 400;
        throw new HttpError(status, status === 413 ? 'payload_too_large' : 'bad_request', validation.error.message);
      }
      if (validation.request.type !== 'verify') throw new HttpError(400, 'bad_request', 'not a verify request');
      const { id, addresses, options: wanted } = validation.request;
      const options = optionsFor(ctx, wanted);
      await chargeQuota(ctx, request.keyName, addresses.length);

      const stream = new PassThrough();
      const aborter = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) aborter.abort();
      });
      const write = (message: ResultMessage | DoneMessage) => stream.write(`${JSON.stringify(message)}\n`);
      void streamVerify(ctx, id, addresses, options, aborter.signal, write)
        .catch((error: unknown) => request.log.error({ err: error }, 'verify failed'))
        .finally(() => stream.end());
      return reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').send(stream);
    },
  );

  let port25: { check: Check; at: number } | null = null;
  app.get('/v1/health', async () => {
    if (!port25 || Date.now() - port25.at > PORT25_MEMORY_MS)
      port25 = { check: await probePort25(ctx), at: Date.now() };
    const [store, queue] = await Promise.all([ctx.store.health(), ctx.queue.health()]);
    const bulkPending = store.ok ? await ctx.bulk.pending().catch(() => null) : null;
    return {
      // "degraded": checks still run, but bulk jobs cannot be taken or read until the parts come back.
      status: store.ok && queue.reachable !== false ? 'ok' : 'degraded',
      version: ctx.version,
      protocol: PROTOCOL_VERSION,
      port25: {
        ok: port25.check.ok,
        detail: port25.check.detail,
        fix: port25.check.fix,
        checkedAt: new Date(port25.at).toISOString(),
      },
      store,
      queue: { addresses: ctx.inFlight.addresses, bulkPending, ...queue },
    };
  });
}

async function streamVerify(
  ctx: ServerContext,
  id: RequestId,
  addresses: string[],
  options: Parameters<typeof checkAddresses>[1],
  signal: AbortSignal,
  write: (message: ResultMessage | DoneMessage) => void,
): Promise<void> {
  let count = 0;
  const ending = await checkAddresses(ctx, options, addresses, signal, (index, result) => {
    count++;
    write({ type: 'result', id, index, result });
  });
  write({ type: 'done', id, count, ...(ending === 'aborted' ? { cancelled: true as const } : {}) });
}

/** doctor's own check: the probe domain's first mail server, on the server's SMTP port. */
async function probePort25(ctx: ServerContext): Promise<Check> {
  const { verify, serve } = ctx;
  const dns = await checkDns(serve.probeDomain, verify.dnsServers);
  return checkPort25(dns.first, {
    port: verify.smtpPort,
    proxy: verify.proxy,
    allowPrivate: verify.allowPrivate,
    configFile: 'the config file',
    why: dns.check.detail,
  });
}
