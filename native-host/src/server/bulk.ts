import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { validateRequest } from '../../shared/protocol/validate.js';
import type { BulkStore, JobRow } from './bulk-store.js';
import { chargeQuota, optionsFor, type ServerContext } from './context.js';
import { HttpError } from './errors.js';
import { CSV_COLUMNS, csvLine, toReacherOutput } from './reacher-output.js';

// Reacher's bulk API over the persistent job store:
//   POST /v1/bulk                      {"input": [...]} → {"job_id": N}
//   GET  /v1/bulk/{job_id}             progress, summary, job_status
//   GET  /v1/bulk/{job_id}/results     ?limit&offset (JSON), ?format=csv (CSV)
// MX Lens extension: an optional "options" object, the native verify options (e.g. level).

const MAX_BULK_ADDRESSES = 500_000;
const BULK_BODY_BYTES = 32 * 1024 * 1024;

const BULK_BODY = {
  type: 'object',
  required: ['input'],
  properties: {
    input: { type: 'array', minItems: 1, maxItems: MAX_BULK_ADDRESSES, items: { type: 'string', maxLength: 1000 } },
    options: { type: 'object' },
    webhook: {},
  },
} as const;

const DIGITS = { type: 'string', pattern: '^[0-9]{1,15}$' } as const;
const JOB_PARAMS = { type: 'object', required: ['job_id'], properties: { job_id: DIGITS } } as const;
const RESULTS_QUERY = {
  type: 'object',
  properties: { limit: DIGITS, offset: DIGITS, format: { type: 'string', enum: ['json', 'csv'] } },
} as const;
const MAX_PAGE = 10_000;

export function bulkRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = ctx.store;
  app.post('/v1/bulk', { schema: { body: BULK_BODY }, bodyLimit: BULK_BODY_BYTES }, async (request) => {
    const body = request.body as { input: string[]; options?: unknown; webhook?: unknown };
    if (body.webhook !== undefined) {
      throw new HttpError(
        400,
        'bad_request',
        'webhooks are not supported: poll GET /v1/bulk/{job_id} for progress instead',
      );
    }
    const validation = validateRequest({
      type: 'verify',
      id: 'bulk',
      addresses: [],
      ...(body.options !== undefined ? { options: body.options } : {}),
    });
    if (!validation.ok) throw new HttpError(400, 'bad_request', validation.error.message);
    const options = optionsFor(ctx, validation.request.type === 'verify' ? validation.request.options : undefined);
    await chargeQuota(ctx, request.keyName, body.input.length);
    const jobId = await store.create(request.keyName, body.input, options).catch(async (error: unknown) => {
      await ctx.quota.refund(request.keyName, body.input.length);
      throw error;
    });
    ctx.bulk.notify();
    request.log.info({ job: jobId, total: body.input.length }, 'bulk job accepted');
    return { job_id: jobId };
  });

  app.get('/v1/bulk/:job_id', { schema: { params: JOB_PARAMS } }, async (request) => {
    const job = await ownJob(store, request.params, request.keyName);
    return {
      job_id: job.id,
      created_at: job.created_at,
      finished_at: job.finished_at,
      total_records: job.total,
      total_processed: job.processed,
      summary: { total_safe: job.safe, total_invalid: job.invalid, total_risky: job.risky, total_unknown: job.unknown },
      job_status: job.status === 'completed' ? 'Completed' : 'Running',
    };
  });

  app.get(
    '/v1/bulk/:job_id/results',
    { schema: { params: JOB_PARAMS, querystring: RESULTS_QUERY } },
    async (request, reply) => {
      const job = await ownJob(store, request.params, request.keyName);
      const query = request.query as { limit?: string; offset?: string; format?: 'json' | 'csv' };
      const limit = Math.min(MAX_PAGE, Math.max(1, Number(query.limit ?? 50)));
      const offset = Number(query.offset ?? 0);
      if (query.format === 'csv') {
        const rows =
          query.limit !== undefined || query.offset !== undefined
            ? await store.page(job.id, limit, offset)
            : store.all(job.id);
        const lines = (async function* () {
          yield `${CSV_COLUMNS.join(',')}\r\n`;
          for await (const result of rows) yield csvLine(toReacherOutput(result));
        })();
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="mxlens-bulk-${job.id}.csv"`)
          .send(Readable.from(lines));
      }
      return { results: (await store.page(job.id, limit, offset)).map(toReacherOutput) };
    },
  );
}

/** A job of this key; another key's job is "not found", as if it did not exist. */
async function ownJob(store: BulkStore, params: unknown, keyName: string): Promise<JobRow> {
  const id = Number((params as { job_id: string }).job_id);
  const job = await store.job(id);
  if (!job || job.key_name !== keyName) throw new HttpError(404, 'not_found', `no bulk job ${id} for this API key`);
  return job;
}
