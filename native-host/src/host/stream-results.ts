// A verifier's results as they come, cut off at once by an abort (host verifies, re-checks and
// the server's requests share it).

import type { IndexedResult, StageListener, Verifier } from '../engine/verifier.js';

/**
 * Runs the verifier over `addresses` and hands each result to `onResult` until the verifier is
 * done or `signal` aborts. Returns at once on abort, even while the engine is still busy
 * (a DNS query does not listen to the signal); results after the abort are dropped.
 */
export async function streamResults(
  verifier: Verifier,
  addresses: readonly string[],
  signal: AbortSignal,
  onResult: (item: IndexedResult) => void,
  onStage?: StageListener,
): Promise<'done' | 'aborted'> {
  if (signal.aborted) return 'aborted';
  const results = verifier.verifyInBatches(addresses, signal, onStage);
  let stopAbortWait = () => {};
  const aborted = new Promise<'aborted'>((resolve) => {
    const onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    stopAbortWait = () => signal.removeEventListener('abort', onAbort);
  });
  try {
    for (;;) {
      const next = results.next();
      next.catch(() => undefined); // a rejection after an abort has no one left to hear it
      const step = await Promise.race([next, aborted]);
      if (step === 'aborted' || signal.aborted) {
        void results.return(undefined).catch(() => undefined);
        return 'aborted';
      }
      if (step.done) return 'done';
      for (const item of step.value) onResult(item);
    }
  } finally {
    stopAbortWait();
  }
}
