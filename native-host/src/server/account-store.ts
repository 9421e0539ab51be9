// Where the API keys (hashed) and each key's daily usage live: the server's own SQLite database
// (the default, store.ts) or PostgreSQL (`--postgres`, account-store-postgres.ts), so that every
// server node sees the same keys and charges one quota per key. The rules (key names, the
// quota's day and messages) are in store.ts and limits.ts; these only store, atomically.

export interface KeyInfo {
  name: string;
  createdAt: string;
}

export interface AccountStore {
  /** Stores a key's hash under `name`; false when the name (or the hash) is taken. */
  insertKey(name: string, hash: string): Promise<boolean>;
  /** False when there was no such key. */
  deleteKey(name: string): Promise<boolean>;
  listKeys(): Promise<KeyInfo[]>;
  keyNameByHash(hash: string): Promise<string | null>;
  /**
   * Adds `count` to the key's usage on `day` in one statement, unless the total would pass
   * `limit`: then nothing is added and the answer is the usage so far. Nodes charging the same
   * key at once never pass the limit together.
   */
  charge(
    keyName: string,
    day: string,
    count: number,
    limit: number,
  ): Promise<{ ok: true } | { ok: false; used: number }>;
  /** Takes `count` back from the key's usage on `day`. */
  refund(keyName: string, day: string, count: number): Promise<void>;
}
