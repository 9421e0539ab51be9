import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LIMITS } from '../../shared/protocol/messages.js';
import { bulkRoutes } from './bulk.js';
import type { ServerContext } from './context.js';
import { HttpError, sendError, toHttpError } from './errors.js';
import { nativeRoutes } from './native.js';
import { reacherRoutes } from './reacher.js';
import { ServerSetupError } from './store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The name of the API key that authenticated this request. */
    keyName: string;
  }
}

/** The one path that answers without a key: it says the server is up, and nothing else. */
const OPEN_HEALTH_PATH = '/health';
/** Bull Board, the dashboard of the Redis queue (serve --redis only). */
const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Fastify and its CORS plugin are loaded here, when a server starts, so `mxlens verify` and the
 * native host never pay for them.
 */
export async function buildApp(
  ctx: ServerContext,
  options: { logger: object; https?: { key: Buffer; cert: Buffer } },
): Promise<FastifyInstance> {
  const { default: Fastify } = await importServerModule(() => import('fastify'), 'fastify');
  const app = (Fastify as unknown as (options: object) => FastifyInstance)({
    logger: options.logger,
    bodyLimit: LIMITS.maxFrameBytes,
    ...(options.https ? { https: options.https } : {}),
    return503OnClosing: true,
    // A number where an address belongs is an error, not an address: no type coercion (query
    // and path numbers are read as digit strings in their schemas).
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.decorateRequest('keyName', '');

  app.setErrorHandler((error, request, reply) => {
    const http = toHttpError(error);
    if (http.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendError(reply, http);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new HttpError(404, 'not_found', `no such endpoint: ${request.method} ${request.url.split('?')[0]}`),
    ),
  );

  await registerCors(app, ctx);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url === OPEN_HEALTH_PATH) return;
    // Answered here, not thrown: a plugin's own error handler (Bull Board's) would make it a 500.
    try {
      await authenticate(ctx, request);
      if (request.url.startsWith(QUEUE_BOARD_PATH)) mayOpenQueueBoard(ctx, request.keyName);
      const rate = ctx.rate.take(request.keyName);
      if (!rate.ok) throw new HttpError(429, 'rate_limited', rate.message, rate.retryAfterSeconds);
    } catch (error) {
      return sendError(reply, toHttpError(error));
    }
  });

  app.get(OPEN_HEALTH_PATH, async () => ({ status: 'ok' }));
  nativeRoutes(app, ctx);
  reacherRoutes(app, ctx);
  bulkRoutes(app, ctx);
  if (ctx.queue.queue) await mountQueueBoard(app, ctx.queue.queue);
  return app;
}

/** The queue dashboard is for the keys named in `boardKeys` (a key from the environment is named without its "env:"). */
function mayOpenQueueBoard(ctx: ServerContext, keyName: string): void {
  const name = keyName.replace(/^env:/, '');
  if (ctx.serve.boardKeys.includes(name)) return;
  throw new HttpError(
    403,
    'forbidden',
    `the queue dashboard shows every key's addresses: only the keys named in MXLENS_SERVE_BOARD_KEYS (config "serveBoardKeys") may open it, and "${name}" is not one of them`,
  );
}

/**
 * Bull Board, read-only, behind the API key like every route (the onRequest hook above covers
 * plugins registered after it), and only for the keys named in `boardKeys`: it shows the
 * batches, and with them the addresses, of every key.
 */
async function mountQueueBoard(app: FastifyInstance, queue: Queue): Promise<void> {
  const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([
    importServerModule(() => import('@bull-board/api'), '@bull-board/api'),
    importServerModule(() => import('@bull-board/api/bullMQAdapter'), '@bull-board/api'),
    importServerModule(() => import('@bull-board/fastify'), '@bull-board/fastify'),
  ]);
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: [new BullMQAdapter(queue, { readOnlyMode: true })], serverAdapter });
  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
}

/**
 * CORS for the configured origins only (the extension's). A browser request from any other
 * origin is refused outright (403), so a web page cannot spend a key even where a browser
 * would send the request before reading the CORS answer.
 */
async function registerCors(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const allowed = new Set(ctx.serve.corsOrigins);
  app.addHook('onRequest', async (request) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !allowed.has(origin)) {
      throw new HttpError(
        403,
        'forbidden',
        `requests from the origin ${origin} are not allowed (the server's operator lists allowed origins in MXLENS_SERVE_CORS)`,
      );
    }
  });
  if (allowed.size === 0) return;
  const { default: cors } = await importServerModule(() => import('@fastify/cors'), '@fastify/cors');
  await app.register(cors, {
    origin: [...allowed],
    methods: ['GET', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  });
}

/** The server's modules are optional dependencies of the npm package: say how to get them. */
async function importServerModule<T>(load: () => Promise<T>, name: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new ServerSetupError(
      `the module ${name} is missing (${(error as Error).message.split('\n')[0]}): install it beside mxlens (npm install ${name}) or reinstall mxlens with network access`,
    );
  }
}

/** `Authorization: Bearer KEY`, or the bare key as Reacher's clients send it. */
async function authenticate(ctx: ServerContext, request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') {
    throw new HttpError(
      401,
      'unauthorized',
      'an API key is needed: send it as "Authorization: Bearer KEY" (keys: mxlens serve keys add NAME)',
    );
  }
  const bearer = /^Bearer\s+(.+)$/i.exec(header.trim());
  const presented = (bearer ? bearer[1]! : header).trim();
  const name = await ctx.keys.lookup(presented);
  if (name === null)
    throw new HttpError(401, 'unauthorized', 'this API key is not known to the server (removed, or mistyped)');
  request.keyName = name;
}
