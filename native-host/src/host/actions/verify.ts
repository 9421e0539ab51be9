import type { VerifyOptions } from '../../engine/options.js';
import type { VerificationResult } from '../../../shared/result.js';
import {
  LIMITS,
  errorReply,
  type VerifyRequest,
  type VerifyRequestOptions,
} from '../../../shared/protocol/messages.js';
import { SETTINGS, writeVerifyOption } from '../../../shared/settings/table.js';
import { keepYoungGenerationSmall } from '../../engine/young-generation.js';
import { verifyRemotely, type RemoteTarget } from '../../cli/verify-remote.js';
import { idKey } from '../request-id.js';
import { ProgressReporter } from '../progress.js';
import type { HostState, Job } from '../state.js';
import { streamResults } from '../stream-results.js';

/**
 * Checks the addresses and streams one `result` per address as it becomes known, then `done`.
 * Several verifies run at once; `cancel` aborts one through its AbortController.
 * The job is registered before anything is awaited, so a cancel in the same chunk finds it.
 */
export function verify(state: HostState, request: VerifyRequest): void {
  const { id } = request;
  if (!state.handshake) {
    state.send(errorReply(id, 'handshake_required', 'send hello first: a verify needs the handshake'));
    return;
  }
  const key = idKey(id);
  if (state.jobs.has(key)) {
    state.send(errorReply(id, 'duplicate_id', `a verify with id ${JSON.stringify(id)} is still running; use a new id`));
    return;
  }
  if (state.jobs.size >= LIMITS.maxConcurrentRequests) {
    state.send(
      errorReply(
        id,
        'busy',
        `${state.jobs.size} verify requests are running (at most ${LIMITS.maxConcurrentRequests}); try again when one is done`,
      ),
    );
    return;
  }
  const built = requestOptions(state.settings.verify, request.options);
  if (!built.ok) {
    state.send(errorReply(id, 'bad_value', built.problem));
    return;
  }
  const controller = new AbortController();
  const job: Job = { id, controller, finished: Promise.resolve() };
  state.jobs.set(key, job);
  job.finished = run(state, request, built.options, controller.signal)
    .catch((error: unknown) => {
      state.log.error(`verify ${JSON.stringify(id)} failed:`, error);
      state.send(
        errorReply(id, 'internal', `the host failed while checking: ${(error as Error)?.message ?? String(error)}`),
      );
    })
    .finally(() => {
      if (state.jobs.get(key) === job) state.jobs.delete(key);
    });
}

async function run(
  state: HostState,
  request: VerifyRequest,
  options: VerifyOptions,
  signal: AbortSignal,
): Promise<void> {
  const { id, addresses } = request;
  // One engine per partition (the site, or the user's): what one learned is not used for another.
  const { verifier } = state.engines.get(options, request.site ?? null);
  // One byte per address, not a Set of up to 10,000 numbers.
  const answered = new Uint8Array(addresses.length);
  let answeredCount = 0;
  const started = Date.now();
  const progress = request.progress
    ? new ProgressReporter((stages) => state.send({ type: 'progress', id, stages }))
    : null;

  const deliver = (index: number, result: VerificationResult) => {
    if (answered[index] !== 0) {
      // Not 0: answered before, or no address has this index (a server's answer).
      state.log.warn(`verify ${JSON.stringify(id)}: a second result for index ${index} was dropped`);
      return;
    }
    answered[index] = 1;
    answeredCount++;
    progress?.done(index);
    state.send({ type: 'result', id, index, result });
  };

  const server = state.settings.server;
  await keepYoungGenerationSmall(addresses.length);
  const ending =
    addresses.length === 0
      ? 'done'
      : server?.url
        ? await forward({ url: server.url, key: server.key }, addresses, request, signal, deliver)
        : await streamResults(
            verifier,
            addresses,
            signal,
            ({ index, result }) => deliver(index, result),
            progress ? (indexes, stage) => progress.stage(indexes, stage) : undefined,
          ).finally(() => progress?.stop());

  const cancelled = ending === 'aborted' || signal.aborted;
  if (!cancelled && answeredCount < addresses.length) {
    state.log.error(
      `verify ${JSON.stringify(id)}: the engine answered ${answeredCount} of ${addresses.length} addresses`,
    );
  }
  state.send({ type: 'done', id, count: answeredCount, ...(cancelled ? { cancelled: true as const } : {}) });
  state.log.info(
    `verify ${JSON.stringify(id)}: ${answeredCount}/${addresses.length} answered at level ${options.level} in ${Date.now() - started} ms${cancelled ? ' (cancelled)' : ''}`,
  );
}

/**
 * The host's settings name a server (MXLENS_SERVER): the checks run there, as `mxlens verify
 * --server` sends them. The proxy is the server's to choose, so the request's is not passed on.
 */
async function forward(
  target: RemoteTarget,
  addresses: string[],
  request: VerifyRequest,
  signal: AbortSignal,
  onResult: (index: number, result: VerificationResult) => void,
): Promise<'done' | 'aborted'> {
  const { proxy: _proxy, fresh: _fresh, ...options } = request.options ?? {};
  await verifyRemotely(target, addresses, options, signal, onResult, request.site);
  return signal.aborted ? 'aborted' : 'done';
}

/** The host's settings with this request's options on top; a bad value names the option. */
export function requestOptions(
  base: VerifyOptions,
  wanted: VerifyRequestOptions | undefined,
): { ok: true; options: VerifyOptions } | { ok: false; problem: string } {
  const options: VerifyOptions = {
    ...base,
    dnsServers: [...base.dnsServers],
    proxy: base.proxy ? { ...base.proxy } : null,
  };
  for (const row of REQUEST_ROWS) {
    const value = (wanted as Record<string, unknown> | undefined)?.[row.key];
    if (value === undefined) continue;
    const parsed = row.parse(value);
    if (!parsed.ok) return { ok: false, problem: `\`options.${row.key}\` ${parsed.problem}` };
    writeVerifyOption(options, row, parsed.value);
  }
  return { ok: true, options };
}

const REQUEST_ROWS = SETTINGS.filter((row) => row.protocolOption);
