import type { EnginePool } from '../host/state.js';
import { streamResults } from '../host/state.js';
import type { CheckChunk } from './bulk-runner.js';

// Where the server's checks run. In process (the default): the server's own engines. On a
// queue (--redis): workers on any number of machines (worker/redis-queue.ts). Live requests and
// bulk jobs go through the same interface, so both modes run the same routes and tests.

export interface WorkQueue {
  /** Checks the addresses, handing over each result once, as soon as it is known. */
  check: CheckChunk;
  /** Stops taking work and lets go of connections. */
  close(): Promise<void>;
}

export function inProcessQueue(engines: EnginePool): WorkQueue {
  return {
    check: (options, addresses, signal, onResult) =>
      streamResults(engines.get(options).verifier, addresses, signal, ({ index, result }) => onResult(index, result)),
    close: async () => {},
  };
}
