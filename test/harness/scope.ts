// One part of a test file's setup (the world's fakes, a page server, a browser, a server
// process): started in beforeAll and ended in afterAll of the enclosing scope (the file, or a
// describe block). Parts end in the reverse order of their starts, and a part that started is
// ended even when a later one failed to start.
//
//   const pages = startedForScope('the page server', startPageServer, (server) => server.close());
//   it('…', async () => { await browser().openPage(pages().url('/pages/plain-text.html')); });

import { afterAll, beforeAll } from 'vitest';

/** Returns the part; throws, naming it, when it did not start. */
export function startedForScope<T>(what: string, start: () => Promise<T>, end: (part: T) => Promise<unknown>): () => T {
  let part: T | undefined;
  beforeAll(async () => {
    part = await start();
  }, 120_000);
  afterAll(async () => {
    if (part !== undefined) await end(part);
  }, 60_000);
  return () => {
    if (part === undefined) throw new Error(`${what} did not start`);
    return part;
  };
}
