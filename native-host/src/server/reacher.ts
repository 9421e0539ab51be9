import type { FastifyInstance } from 'fastify';
import type { VerificationResult } from '../../shared/result.js';
import type { VerifyRequestOptions } from '../../shared/protocol/messages.js';
import { validateRequest } from '../../shared/protocol/validate.js';
import { chargeQuota, checkAddresses, optionsFor, type ServerContext, type ServerOnlyOptions } from './context.js';
import { HttpError } from './errors.js';
import { toReacherOutput } from './reacher-output.js';

// Reacher's API, so tools written for Reacher (check-if-email-exists) work unchanged:
//   POST /v0/check_email, POST /v1/check_email → CheckEmailOutput
// The bulk endpoints are in bulk.ts.

interface CheckEmailRequest {
  to_email: string;
  from_email?: string;
  hello_name?: string;
  proxy?: { host: string; port: number; username?: string; password?: string };
  smtp_port?: number;
}

const CHECK_EMAIL_BODY = {
  type: 'object',
  required: ['to_email'],
  properties: {
    to_email: { type: 'string', maxLength: 1000 },
    from_email: { type: 'string', maxLength: 1000 },
    hello_name: { type: 'string', maxLength: 255 },
    proxy: {
      type: 'object',
      required: ['host', 'port'],
      properties: {
        host: { type: 'string', minLength: 1, maxLength: 255 },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        username: { type: 'string' },
        password: { type: 'string' },
      },
    },
    smtp_port: { type: 'integer', minimum: 1, maximum: 65535 },
  },
} as const;

export function reacherRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const path of ['/v0/check_email', '/v1/check_email']) {
    app.post(path, { schema: { body: CHECK_EMAIL_BODY }, bodyLimit: 64 * 1024 }, async (request, reply) => {
      const body = request.body as CheckEmailRequest;
      const { options, extra } = reacherOptions(body);
      const verifyOptions = optionsFor(ctx, options, extra);
      await chargeQuota(ctx, request.keyName, 1);
      const aborter = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) aborter.abort();
      });
      let answer: VerificationResult | null = null;
      await checkAddresses(ctx, verifyOptions, [body.to_email], aborter.signal, (_index, result) => (answer = result));
      if (!answer) throw new HttpError(500, 'internal', 'the check ended without a result');
      return toReacherOutput(answer);
    });
  }
}

/** Reacher's request fields as native options, checked by the protocol's own validator. */
function reacherOptions(body: Omit<CheckEmailRequest, 'to_email'>): {
  options: VerifyRequestOptions;
  extra: ServerOnlyOptions;
} {
  const wanted: Record<string, unknown> = {};
  if (body.from_email !== undefined) wanted.sender = body.from_email;
  if (body.hello_name !== undefined) wanted.heloName = body.hello_name;
  if (body.proxy !== undefined) wanted.proxy = proxyUrl(body.proxy);
  const validation = validateRequest({ type: 'verify', id: 'reacher', addresses: [], options: wanted });
  if (!validation.ok) {
    const message = validation.error.message
      .replace('`options.sender`', '`from_email`')
      .replace('`options.heloName`', '`hello_name`')
      .replace('`options.proxy`', '`proxy`');
    throw new HttpError(400, 'bad_request', message);
  }
  const options = validation.request.type === 'verify' ? (validation.request.options ?? {}) : {};
  return { options, extra: body.smtp_port !== undefined ? { smtpPort: body.smtp_port } : {} };
}

function proxyUrl(proxy: NonNullable<CheckEmailRequest['proxy']>): string {
  const host = proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host;
  const user =
    proxy.username !== undefined
      ? `${encodeURIComponent(proxy.username)}${proxy.password !== undefined ? `:${encodeURIComponent(proxy.password)}` : ''}@`
      : '';
  return `socks5://${user}${host}:${proxy.port}`;
}
