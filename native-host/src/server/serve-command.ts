import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { hostname } from 'node:os';
import { parseStrictArgs, UsageError } from '../cli/usage-error.js';
import { keepYoungGenerationSmall } from '../engine/young-generation.js';
import { Budgets } from '../engine/budgets.js';
import { EnginePool } from '../host/engine-pool.js';
import { applySettingFlag, loadSettings, type Settings } from '../settings.js';
import { parseListen } from '../../shared/settings/values.js';
import { VERSION } from '../version.js';
export { SERVE_HELP } from './serve-help.js';
import { buildApp } from './app.js';
import { BulkRunner } from './bulk-runner.js';
import type { BulkStore } from './bulk-store.js';
import { inProcessQueue, type WorkQueue } from './work-queue.js';
import { SqliteBulkStore } from './bulk-store-sqlite.js';
import { checkAddresses, createContext } from './context.js';
import type { AccountStore } from './account-store.js';
import { KeyStore, openDatabase, ServerSetupError, SqliteAccountStore, type Database } from './store.js';

export async function runServe(argv: string[]): Promise<number> {
  if (argv[0] === 'keys') return runKeys(argv.slice(1));
  const settings = loadSettings();
  const flags = parseServeArgs(argv, settings);
  // A server and a worker see large runs all day long.
  await keepYoungGenerationSmall(Number.POSITIVE_INFINITY);
  for (const problem of settings.problems)
    process.stderr.write(`mxlens: ignoring ${problem.setting}: ${problem.message}\n`);
  return serve(settings, flags);
}

interface ServeFlags {
  host: string;
  port: number;
  https?: { key: Buffer; cert: Buffer };
}

function parseServeArgs(argv: string[], settings: Settings): ServeFlags {
  const { values, positionals } = parseStrictArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      listen: { type: 'string' },
      data: { type: 'string' },
      postgres: { type: 'string' },
      redis: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
    },
  });
  if (positionals.length > 0)
    throw new UsageError(
      `serve takes no arguments (got "${positionals.join(' ')}"); did you mean "mxlens serve keys ..."?`,
    );
  if (values.listen !== undefined) settings.serve.listen = values.listen;
  applyStoreFlags(settings, values);
  applySettingFlag(settings, 'redis', 'redis', values.redis);
  const parsed = parseListen(settings.serve.listen);
  if (!parsed.ok) throw new UsageError(`--listen ${parsed.problem}`);
  const listen = parsed.value;
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new UsageError('--tls-cert and --tls-key go together: give both, or neither');
  const flags: ServeFlags = { host: listen.host, port: listen.port };
  if (certFile !== undefined && keyFile !== undefined)
    flags.https = { cert: readPem(certFile, '--tls-cert'), key: readPem(keyFile, '--tls-key') };
  return flags;
}

/** --data and --postgres: where the keys, usage and jobs live (serve and serve keys). */
function applyStoreFlags(
  settings: Settings,
  values: { data?: string | undefined; postgres?: string | undefined },
): void {
  if (values.data !== undefined) settings.serve.dataDir = values.data;
  applySettingFlag(settings, 'postgres', 'postgres', values.postgres);
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(
      `${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

async function serve(settings: Settings, flags: ServeFlags): Promise<number> {
  const db = await openOrExplain(settings.serve.dataDir);
  if (!db) return 1;
  const built = await buildServer(settings, flags, db).catch((error: unknown) => {
    if (!(error instanceof ServerSetupError)) throw error;
    process.stderr.write(`mxlens serve: ${error.message}\n`);
    db.close();
    return null;
  });
  if (!built) return 1;
  const { app, ctx } = built;
  const storedKeys = await ctx.keys.list().catch(() => null);
  if (settings.serve.keys.length === 0 && storedKeys?.length === 0) {
    process.stderr.write(
      'mxlens serve: no API keys yet, so every request will be refused: add one with "mxlens serve keys add NAME"\n',
    );
  }
  const closeStores = async () => {
    await Promise.allSettled([ctx.queue.close(), ctx.store.close()]);
    db.close();
  };

  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      app.log.info({ signal }, 'shutting down');
      for (const controller of ctx.running) controller.abort();
      void Promise.allSettled([app.close(), ctx.bulk.stop()]).then(closeStores).then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });

  try {
    const address = await app.listen({ host: flags.host, port: flags.port });
    const url = new URL(address);
    const store = (await ctx.store.health()).kind;
    app.log.info(
      {
        url: url.href.replace(/\/$/, ''),
        port: Number(url.port),
        data: settings.serve.dataDir,
        store,
        version: VERSION,
      },
      'listening',
    );
  } catch (error) {
    process.stderr.write(
      `mxlens serve: cannot listen on ${isIPv6(flags.host) ? `[${flags.host}]` : flags.host}:${flags.port}: ${(error as Error).message}\n`,
    );
    await closeStores();
    return 1;
  }
  ctx.bulk.start(app.log);
  await stopped;
  return 0;
}

/** The job store, the queue, the shared context and the HTTP app; a ServerSetupError says what is missing. */
async function buildServer(settings: Settings, flags: ServeFlags, db: Database) {
  const { store, accounts } = await openStores(settings, db);
  let queue: WorkQueue | undefined;
  try {
    // With Redis the checks go to the workers; without, they run in this process.
    queue = settings.serve.redis
      ? await (
          await import('../worker/redis-queue.js')
        ).RedisWorkQueue.connect(settings.serve.redis, (line) => process.stderr.write(`mxlens serve: ${line}\n`))
      : inProcessQueue(new EnginePool(new Budgets(settings.verify.budgets)));
    const bulk = new BulkRunner(
      store,
      (options, addresses, signal, onResult) => checkAddresses(ctx, options, addresses, signal, onResult, 'bulk'),
      queue.chunks,
    );
    const ctx = createContext({
      serve: settings.serve,
      verify: settings.verify,
      accounts,
      keys: new KeyStore(accounts, settings.serve.keys),
      bulk,
      store,
      version: VERSION,
      queue,
    });
    const logger = {
      level: 'info',
      ...(settings.serve.logFile ? { file: settings.serve.logFile } : { stream: process.stderr }),
    };
    const app = await buildApp(ctx, { logger, ...(flags.https ? { https: flags.https } : {}) });
    return { app, ctx };
  } catch (error) {
    await Promise.allSettled([queue?.close(), store.close()]);
    throw error;
  }
}

/**
 * Where jobs, keys and usage live: PostgreSQL when a URL is set (several nodes share it), else
 * the server's own SQLite database `db` (needed then). Closing the job store closes both.
 */
async function openStores(
  settings: Settings,
  db: Database | null,
): Promise<{ store: BulkStore; accounts: AccountStore }> {
  if (settings.serve.postgres === '') {
    if (!db) throw new Error('the SQLite database is needed without --postgres');
    return { store: new SqliteBulkStore(db), accounts: new SqliteAccountStore(db) };
  }
  const [{ openPostgresStore }, { PostgresAccountStore }] = await Promise.all([
    import('./bulk-store-postgres.js'),
    import('./account-store-postgres.js'),
  ]);
  const store = await openPostgresStore(settings.serve.postgres, `${hostname()}:${settings.serve.dataDir}`);
  return { store, accounts: new PostgresAccountStore(store.pool) };
}

async function openOrExplain(dataDir: string) {
  try {
    return await openDatabase(dataDir);
  } catch (error) {
    const message =
      error instanceof ServerSetupError
        ? error.message
        : `cannot open the database in ${dataDir}: ${(error as Error).message}`;
    process.stderr.write(`mxlens serve: ${message}\n`);
    return null;
  }
}

// ---------------------------------------------------------------- mxlens serve keys

async function runKeys(argv: string[]): Promise<number> {
  const settings = loadSettings();
  const { values, positionals } = parseStrictArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { data: { type: 'string' }, postgres: { type: 'string' } },
  });
  applyStoreFlags(settings, values);
  const [action, name, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`serve keys ${action} takes one name (got "${[name, ...rest].join(' ')}")`);
  const needsName = action === 'add' || action === 'remove';
  if (needsName && name === undefined) throw new UsageError(`serve keys ${action} needs a NAME`);
  if (action === 'list' && name !== undefined) throw new UsageError('serve keys list takes no NAME');
  if (!needsName && action !== 'list') {
    throw new UsageError(
      action === undefined
        ? 'serve keys needs an action: add NAME | list | remove NAME'
        : `unknown keys action "${action}" (add NAME | list | remove NAME)`,
    );
  }
  // With PostgreSQL the keys are the servers' shared ones; the local SQLite is not needed.
  const db = settings.serve.postgres === '' ? await openOrExplain(settings.serve.dataDir) : null;
  if (settings.serve.postgres === '' && !db) return 1;
  const stores = await openStores(settings, db).catch((error: unknown) => {
    if (!(error instanceof ServerSetupError)) throw error;
    process.stderr.write(`mxlens serve keys: ${error.message}\n`);
    return null;
  });
  if (!stores) return 1;
  try {
    const keys = new KeyStore(stores.accounts);
    if (action === 'add') {
      const added = await keys.add(name!);
      if (!added.ok) throw new UsageError(added.problem);
      process.stderr.write(`mxlens: key "${name}" added. It is shown this once; only its hash is kept:\n`);
      process.stdout.write(`${added.key}\n`);
      return 0;
    }
    if (action === 'remove') {
      if (!(await keys.remove(name!))) {
        process.stderr.write(`mxlens: no key named "${name}"\n`);
        return 1;
      }
      process.stderr.write(`mxlens: key "${name}" removed; requests with it are refused from now on\n`);
      return 0;
    }
    const listed = await keys.list();
    for (const key of listed) process.stdout.write(`${key.name}\t${key.createdAt}\n`);
    for (const key of settings.serve.keys) process.stdout.write(`env:${key.name}\t(from MXLENS_SERVE_KEYS)\n`);
    if (listed.length === 0 && settings.serve.keys.length === 0)
      process.stderr.write('mxlens: no keys yet (mxlens serve keys add NAME)\n');
    return 0;
  } finally {
    await stores.store.close();
    db?.close();
  }
}
