import type { AskSecondOpinion } from '../engine/network-watch.js';
import type { VerifyOptions } from '../engine/options.js';

/**
 * The doctor's port-25 check as the engine's second opinion, loaded the first time it is asked
 * (a connect hung): checks.ts brings the installer's and doctor's code and node:child_process,
 * which `mxlens verify` and the host would otherwise load at every start.
 */
export function port25SecondOpinion(probeDomain: string, verify: VerifyOptions): AskSecondOpinion {
  return async (route) => (await import('./checks.js')).port25SecondOpinion(probeDomain, verify)(route);
}
