import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerTransport } from '../../extension/src/background/server-transport.js';
import type { VerifyCall } from '../../extension/src/background/native-port.js';
import type { HostProblem } from '../../extension/src/shared/status.js';
import type { DoneMessage, VerificationResult } from '../../native-host/shared/protocol/messages.js';
import { useWorld, type World } from '../world/index.js';
import { addKey, newDataDir, startServe, WORLD_ENV, type ServeProcess } from './server-process.js';

// The extension's "a server" mode: its transport against a real `mxlens serve`, as the checks
// service would call it (verify with handlers), with the right key and with a wrong one.

let world: World;
let server: ServeProcess;
let key: string;
const dataDir = newDataDir();

beforeAll(async () => {
  world = await useWorld();
  key = await addKey(dataDir, 'extension');
  server = await startServe({ dataDir, env: WORLD_ENV });
});
afterAll(async () => {
  await server?.stop();
  await world?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function run(transport: ServerTransport, addresses: string[]) {
  return new Promise<{
    results: Map<number, VerificationResult>;
    done: DoneMessage | null;
    problem: HostProblem | null;
  }>((resolve) => {
    const results = new Map<number, VerificationResult>();
    const call: VerifyCall = {
      addresses,
      options: { level: 'smtp' },
      deadlineMs: 30_000,
      handlers: {
        onResult: (index, result) => results.set(index, result),
        onDone: (done) => resolve({ results, done, problem: null }),
        onFail: (problem) => resolve({ results, done: null, problem }),
      },
    };
    transport.verify(call);
  });
}

describe('the extension checking through an MX Lens server', () => {
  it('gets one result per address from the server, then done', async () => {
    const transport = new ServerTransport(() => ({ where: 'server', url: server.url, key }));
    const { results, done, problem } = await run(transport, ['alice@acme.test', 'nobody@acme.test', 'not an address']);
    expect(problem).toBeNull();
    expect(done).toMatchObject({ type: 'done', count: 3 });
    expect(results.get(0)).toMatchObject({ verdict: 'deliverable', reason: 'mailbox_exists' });
    expect(results.get(1)).toMatchObject({ verdict: 'undeliverable', reason: 'mailbox_not_found' });
    expect(results.get(2)).toMatchObject({ verdict: 'undeliverable', reason: 'invalid_syntax' });
    expect(transport.status()).toMatchObject({ state: 'connected', hostVersion: `server ${server.url}` });
  });

  it("fails every address with the server's own words when the key is wrong", async () => {
    const transport = new ServerTransport(() => ({ where: 'server', url: server.url, key: 'not-the-key' }));
    const { results, done, problem } = await run(transport, ['alice@acme.test']);
    expect(results.size).toBe(0);
    expect(done).toBeNull();
    expect(problem?.raw).toMatch(/^HTTP 40[13]: /);
    expect(problem?.message).toContain(server.url);
  });
});
