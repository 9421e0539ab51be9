import type { Pool } from 'pg';
import type { AccountStore, KeyInfo } from './account-store.js';
import { queryPool } from './bulk-store-postgres.js';

// API keys and daily usage in PostgreSQL (`--postgres`), on the bulk store's pool and created by
// its migrations: every server node sees the same keys, and a key has one quota for all of
// them. The quota is charged by one INSERT ... ON CONFLICT that refuses past the limit, so two
// nodes charging the same key at once cannot both slip under it.

export class PostgresAccountStore implements AccountStore {
  constructor(private readonly pool: Pool) {}

  async insertKey(name: string, hash: string): Promise<boolean> {
    const inserted = await this.query('INSERT INTO api_keys (name, hash) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      name,
      hash,
    ]);
    return inserted.rowCount === 1;
  }

  async deleteKey(name: string): Promise<boolean> {
    return (await this.query('DELETE FROM api_keys WHERE name = $1', [name])).rowCount === 1;
  }

  async listKeys(): Promise<KeyInfo[]> {
    const { rows } = await this.query('SELECT name, created_at FROM api_keys ORDER BY name');
    return rows.map((row: { name: string; created_at: Date }) => ({
      name: row.name,
      createdAt: row.created_at.toISOString(),
    }));
  }

  async keyNameByHash(hash: string): Promise<string | null> {
    const { rows } = await this.query('SELECT name FROM api_keys WHERE hash = $1', [hash]);
    return (rows[0] as { name: string } | undefined)?.name ?? null;
  }

  async charge(keyName: string, day: string, count: number, limit: number) {
    const charged = await this.query(
      'INSERT INTO key_usage AS u (key_name, day, addresses) SELECT $1::text, $2::date, $3::integer WHERE $3::integer <= $4::integer ' +
        'ON CONFLICT (key_name, day) DO UPDATE SET addresses = u.addresses + excluded.addresses ' +
        'WHERE u.addresses + excluded.addresses <= $4::integer',
      [keyName, day, count, limit],
    );
    if (charged.rowCount === 1) return { ok: true as const };
    const { rows } = await this.query('SELECT addresses FROM key_usage WHERE key_name = $1 AND day = $2::date', [
      keyName,
      day,
    ]);
    return { ok: false as const, used: (rows[0] as { addresses: number } | undefined)?.addresses ?? 0 };
  }

  async refund(keyName: string, day: string, count: number): Promise<void> {
    await this.query(
      'UPDATE key_usage SET addresses = addresses - $3::integer WHERE key_name = $1 AND day = $2::date',
      [keyName, day, count],
    );
  }

  private query(text: string, values: unknown[] = []) {
    return queryPool(this.pool, text, values);
  }
}
