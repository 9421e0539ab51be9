import type { VerifyOptions } from '../../engine/options.js';
import type { VerificationResult } from '../../engine/result.js';
import { parseAddress } from '../../engine/syntax.js';
import { keepYoungGenerationSmall } from '../../engine/young-generation.js';
import { LIMITS, errorReply, type VerifyRequest, type VerifyRequestOptions } from '../../protocol/messages.js';
import { parseSocksUrl } from '../../protocol/validate.js';
import { verifyRemotely, type RemoteTarget } from '../../cli/verify-remote.js';
import { idKey, streamResults, type HostState, type Job } from '../state.js';

/**
 * Checks the addresses and streams one `result` per address as it becomes known (cached ones
 * first), then `done`. Several verifies run at once; `cancel` aborts one through its AbortController.
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
    state.send(errorReply(id, 'busy', `${state.jobs.size} verify requests are running (at most ${LIMITS.maxConcurrentRequests}); try again when one is done`));
    return;
  }
  const built = requestOptions(state.settings.verify, request.options);
  if (!built.ok) {
    state.send(errorReply(id, 'bad_value', built.problem));
    return;
  }
  // A new verify with an old id takes the id over: the old one's re-checks stop.
  state.rechecks.cancelFor(id);

  const controller = new AbortController();
  const job: Job = { id, controller, finished: Promise.resolve() };
  state.jobs.set(key, job);
  job.finished = run(state, request, built.options, controller.signal)
    .catch((error: unknown) => {
      state.log.error(`verify ${JSON.stringify(id)} failed:`, error);
      state.send(errorReply(id, 'internal', `the host failed while checking: ${(error as Error)?.message ?? String(error)}`));
    })
    .finally(() => {
      if (state.jobs.get(key) === job) state.jobs.delete(key);
    });
}

async function run(state: HostState, request: VerifyRequest, options: VerifyOptions, signal: AbortSignal): Promise<void> {
  const { id, addresses } = request;
  const site = request.site ?? null;
  // The key names the partition (the site, or the user's): nothing cached for one is served to another.
  const { key: optionsKey, verifier } = state.engines.get(options, site);
  const answered = new Set<number>();
  const started = Date.now();

  const deliver = (index: number, result: VerificationResult, cached: boolean) => {
    if (answered.has(index)) {
      state.log.warn(`verify ${JSON.stringify(id)}: a second result for index ${index} was dropped`);
      return;
    }
    answered.add(index);
    state.send({ type: 'result', id, index, result, ...(cached ? { cached: true as const } : {}) });
    state.rechecks.offer({ id, index }, options, site, optionsKey, result);
  };

  // Known results first; the rest go to the engine, with their positions remembered.
  const missing: string[] = [];
  const positions: number[] = [];
  addresses.forEach((address, index) => {
    const cached = request.options?.fresh ? undefined : state.cache.get(optionsKey, address);
    if (cached) deliver(index, cached, true);
    else {
      missing.push(address);
      positions.push(index);
    }
  });

  const fresh = (index: number, result: VerificationResult) => {
    const position = positions[index];
    if (position === undefined) return;
    state.cache.set(optionsKey, missing[index]!, result);
    deliver(position, result, false);
  };
  const server = state.settings.server;
  await keepYoungGenerationSmall(missing.length);
  const ending =
    missing.length === 0
      ? 'done'
      : server?.url
        ? await forward({ url: server.url, key: server.key }, missing, request, signal, fresh)
        : await streamResults(verifier, missing, signal, ({ index, result }) => fresh(index, result));

  const cancelled = ending === 'aborted' || signal.aborted;
  if (!cancelled && answered.size < addresses.length) {
    state.log.error(`verify ${JSON.stringify(id)}: the engine answered ${answered.size} of ${addresses.length} addresses`);
  }
  const rechecks = cancelled ? 0 : state.rechecks.pendingFor(id);
  state.send({
    type: 'done',
    id,
    count: answered.size,
    ...(cancelled ? { cancelled: true as const } : {}),
    ...(rechecks > 0 ? { rechecks } : {}),
  });
  state.log.info(
    `verify ${JSON.stringify(id)}: ${answered.size}/${addresses.length} answered at level ${options.level} in ${Date.now() - started} ms` +
      `${cancelled ? ' (cancelled)' : ''}${rechecks ? `, ${rechecks} re-checks queued` : ''}`,
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
  const { proxy: _proxy, ...options } = request.options ?? {};
  await verifyRemotely(target, addresses, options, signal, onResult, request.site);
  return signal.aborted ? 'aborted' : 'done';
}

/** The host's settings with this request's options on top; a bad value names the option. */
export function requestOptions(
  base: VerifyOptions,
  wanted: VerifyRequestOptions | undefined,
): { ok: true; options: VerifyOptions } | { ok: false; problem: string } {
  const options: VerifyOptions = { ...base, dnsServers: [...base.dnsServers], proxy: base.proxy ? { ...base.proxy } : null };
  if (!wanted) return { ok: true, options };
  if (wanted.level !== undefined) options.level = wanted.level;
  if (wanted.sender !== undefined) {
    if (wanted.sender === '' || wanted.sender === '<>') options.sender = '';
    else {
      const parsed = parseAddress(wanted.sender);
      if (!parsed.ok) return { ok: false, problem: `\`options.sender\` is not a valid address: ${parsed.problem}` };
      options.sender = parsed.normalized;
    }
  }
  if (wanted.heloName !== undefined) options.heloName = wanted.heloName;
  if (wanted.proxy !== undefined) {
    if (wanted.proxy === '') options.proxy = null;
    else {
      const parsed = parseSocksUrl(wanted.proxy);
      if (!parsed.ok) return { ok: false, problem: `\`options.proxy\`: ${parsed.problem}` };
      options.proxy = parsed.proxy;
    }
  }
  if (wanted.timeoutMs !== undefined) options.timeoutMs = wanted.timeoutMs;
  if (wanted.catchAll !== undefined) options.catchAllProbe = wanted.catchAll;
  if (wanted.greylistWaitMs !== undefined) options.greylistWaitMs = wanted.greylistWaitMs;
  return { ok: true, options };
}
