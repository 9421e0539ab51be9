import type { FastifyReply } from 'fastify';
import { StoreUnavailableError } from './bulk-store.js';

// Every error the server answers with: a status, a stable code and a message a person can act
// on. The body is {"error": message, "code": code}: Reacher clients read `error`.

export type ServerErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'bad_request'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'internal'
  | 'unavailable';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ServerErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export function sendError(reply: FastifyReply, error: HttpError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .send({ error: error.message, code: error.code });
}

/** Seconds a client waits before retrying while the database (PostgreSQL) is down. */
const STORE_RETRY_AFTER_S = 5;

/** Any error thrown while answering, as the answer to send. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof StoreUnavailableError) {
    return new HttpError(
      503,
      'unavailable',
      `the server's database cannot be reached right now (nothing was saved): retry in a moment; ${error.message}`,
      STORE_RETRY_AFTER_S,
    );
  }
  return fromFastifyError(error as Parameters<typeof fromFastifyError>[0]);
}

/** Fastify's own errors (body too large, bad JSON, schema) in the same shape. */
function fromFastifyError(error: {
  code?: string;
  statusCode?: number;
  message: string;
  validation?: unknown;
}): HttpError {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new HttpError(
      413,
      'payload_too_large',
      'the request body is larger than this endpoint accepts; send fewer addresses per request (or use POST /v1/bulk)',
    );
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new HttpError(415, 'unsupported_media_type', 'send the body as JSON (Content-Type: application/json)');
  if (error.validation) return new HttpError(400, 'bad_request', `the request is not valid: ${error.message}`);
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new HttpError(error.statusCode, 'bad_request', error.message);
  }
  return new HttpError(500, 'internal', 'the server failed while answering (see its log)');
}
