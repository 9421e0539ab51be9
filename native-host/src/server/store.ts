import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { AccountStore, KeyInfo } from './account-store.js';

// The server's one database (SQLite, WAL): API keys (hashed), usage per key and day, and the
// bulk jobs with their inputs and results. Results are keyed by (job, index), so a result
// written twice (a chunk redone after a crash) is stored once and counted once.

export type Database = BetterSqlite3.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_keys (name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS usage (key_name TEXT NOT NULL, day TEXT NOT NULL, addresses INTEGER NOT NULL,
  PRIMARY KEY (key_name, day)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, key_name TEXT NOT NULL, created_at TEXT NOT NULL,
  finished_at TEXT, total INTEGER NOT NULL, options TEXT NOT NULL, status TEXT NOT NULL,
  processed INTEGER NOT NULL DEFAULT 0, safe INTEGER NOT NULL DEFAULT 0, invalid INTEGER NOT NULL DEFAULT 0,
  risky INTEGER NOT NULL DEFAULT 0, unknown INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS job_inputs (job_id INTEGER NOT NULL, idx INTEGER NOT NULL, address TEXT NOT NULL,
  PRIMARY KEY (job_id, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS job_results (job_id INTEGER NOT NULL, idx INTEGER NOT NULL, result TEXT NOT NULL,
  PRIMARY KEY (job_id, idx)) WITHOUT ROWID;
`;

const DATABASE_FILE = 'mxlens-server.sqlite';

/**
 * Opens (and creates) the database in `dataDir`. better-sqlite3 is a native addon, loaded only
 * here, so the rest of mxlens runs where it could not be built.
 */
export async function openDatabase(dataDir: string): Promise<Database> {
  let Sqlite: typeof BetterSqlite3;
  try {
    Sqlite = (await import('better-sqlite3')).default;
  } catch (error) {
    throw new ServerSetupError(
      `the SQLite module (better-sqlite3) could not be loaded: ${(error as Error).message.split('\n')[0]}. ` +
        'Reinstall mxlens with a C++ toolchain available (npm rebuild better-sqlite3).',
    );
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Sqlite(path.join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}

export class ServerSetupError extends Error {
  override readonly name = 'ServerSetupError';
}

// ---------------------------------------------------------------- API keys

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key: 32 bytes, URL-safe, with a prefix that tells what it is. */
function newKey(): string {
  return `mxl_${randomBytes(32).toString('base64url')}`;
}

export class KeyStore {
  constructor(
    private readonly accounts: AccountStore,
    /** Keys from MXLENS_SERVE_KEYS: name → hash. */
    private readonly fromEnvironment: ReadonlyArray<{ name: string; key: string }> = [],
  ) {}

  async add(name: string): Promise<{ ok: true; key: string } | { ok: false; problem: string }> {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(name))
      return { ok: false, problem: `a key name is 1-64 letters, digits, ".", "_" or "-", not "${name}"` };
    const key = newKey();
    if (!(await this.accounts.insertKey(name, hashKey(key))))
      return { ok: false, problem: `a key named "${name}" exists; remove it first` };
    return { ok: true, key };
  }

  remove(name: string): Promise<boolean> {
    return this.accounts.deleteKey(name);
  }

  list(): Promise<KeyInfo[]> {
    return this.accounts.listKeys();
  }

  /**
   * The name of the key, or null. Read from the database each time, so a removed key stops at
   * once (on every node); a StoreUnavailableError when the database cannot say.
   */
  async lookup(presented: string): Promise<string | null> {
    const hash = hashKey(presented);
    for (const { name, key } of this.fromEnvironment) {
      if (sameHash(hashKey(key), hash)) return `env:${name}`;
    }
    return this.accounts.keyNameByHash(hash);
  }
}

function sameHash(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

// ---------------------------------------------------------------- keys and usage in SQLite

export class SqliteAccountStore implements AccountStore {
  private readonly statements;

  constructor(db: Database) {
    this.statements = {
      insertKey: db.prepare('INSERT INTO api_keys (name, hash, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      deleteKey: db.prepare('DELETE FROM api_keys WHERE name = ?'),
      listKeys: db.prepare('SELECT name, created_at AS createdAt FROM api_keys ORDER BY name'),
      keyNameByHash: db.prepare('SELECT name FROM api_keys WHERE hash = ?'),
      // The same statement as PostgreSQL's: the limit is checked by the write itself.
      charge: db.prepare(
        'INSERT INTO usage AS u (key_name, day, addresses) SELECT @key, @day, @count WHERE @count <= @limit ' +
          'ON CONFLICT (key_name, day) DO UPDATE SET addresses = u.addresses + excluded.addresses ' +
          'WHERE u.addresses + excluded.addresses <= @limit',
      ),
      used: db.prepare('SELECT addresses FROM usage WHERE key_name = ? AND day = ?'),
      refund: db.prepare('UPDATE usage SET addresses = addresses - ? WHERE key_name = ? AND day = ?'),
    };
  }

  async insertKey(name: string, hash: string): Promise<boolean> {
    return this.statements.insertKey.run(name, hash, new Date().toISOString()).changes > 0;
  }

  async deleteKey(name: string): Promise<boolean> {
    return this.statements.deleteKey.run(name).changes > 0;
  }

  async listKeys(): Promise<KeyInfo[]> {
    return this.statements.listKeys.all() as KeyInfo[];
  }

  async keyNameByHash(hash: string): Promise<string | null> {
    return (this.statements.keyNameByHash.get(hash) as { name: string } | undefined)?.name ?? null;
  }

  async charge(keyName: string, day: string, count: number, limit: number) {
    if (this.statements.charge.run({ key: keyName, day, count, limit }).changes > 0) return { ok: true as const };
    const used = (this.statements.used.get(keyName, day) as { addresses: number } | undefined)?.addresses ?? 0;
    return { ok: false as const, used };
  }

  async refund(keyName: string, day: string, count: number): Promise<void> {
    this.statements.refund.run(count, keyName, day);
  }
}
