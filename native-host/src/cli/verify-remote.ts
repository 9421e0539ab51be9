import type { VerificationResult } from '../../shared/result.js';
import { LIMITS, type VerifyRequestOptions } from '../../shared/protocol/messages.js';
import { UsageError } from './usage-error.js';

// `mxlens verify --server URL`: the same request the extension sends the native host, as
// POST /v1/verify to an MX Lens server (mxlens serve), read back as NDJSON. Big lists go in
// requests of at most LIMITS.maxAddressesPerRequest addresses, one after the other.

export class RemoteError extends Error {
  override readonly name = 'RemoteError';
}

export interface RemoteTarget {
  url: string;
  key: string | null;
}

/** A server target needs its key before any work starts: a usage error, not a failed run. */
export function checkRemoteTarget(target: RemoteTarget): void {
  if (!target.key)
    throw new UsageError('the server needs an API key: set MXLENS_SERVER_KEY (or "serverKey" in the config file)');
}

export async function verifyRemotely(
  target: RemoteTarget,
  addresses: readonly string[],
  options: VerifyRequestOptions,
  signal: AbortSignal,
  onResult: (index: number, result: VerificationResult) => void,
  site?: string,
): Promise<void> {
  checkRemoteTarget(target);
  for (let start = 0; start < addresses.length && !signal.aborted; start += LIMITS.maxAddressesPerRequest) {
    const batch = addresses.slice(start, start + LIMITS.maxAddressesPerRequest);
    await verifyBatch(target, batch, options, signal, (index, result) => onResult(start + index, result), site);
  }
}

async function verifyBatch(
  target: RemoteTarget,
  addresses: readonly string[],
  options: VerifyRequestOptions,
  signal: AbortSignal,
  onResult: (index: number, result: VerificationResult) => void,
  site: string | undefined,
): Promise<void> {
  const endpoint = `${target.url}/v1/verify`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${target.key}`,
        'content-type': 'application/json',
        accept: 'application/x-ndjson',
      },
      body: JSON.stringify({
        addresses,
        ...(Object.keys(options).length > 0 ? { options } : {}),
        ...(site ? { site } : {}),
      }),
      signal,
    });
  } catch (error) {
    if (signal.aborted) return;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new RemoteError(
      `cannot reach the server at ${target.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    );
  }
  if (!response.ok) throw new RemoteError(await describeRefusal(response));
  if (!response.body) throw new RemoteError(`the server at ${target.url} sent no body`);

  let done = false;
  for await (const line of ndjsonLines(response.body)) {
    const message = parseLine(line, target.url);
    if (message.type === 'result' && typeof message.index === 'number' && message.result)
      onResult(message.index, message.result);
    else if (message.type === 'done') done = true;
  }
  if (!done && !signal.aborted) throw new RemoteError(`the server at ${target.url} ended the answer early (no "done")`);
}

async function describeRefusal(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  let said = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') said = body.error;
  } catch {
    // not JSON: show the start of the text
  }
  return `the server refused (HTTP ${response.status}): ${said || response.statusText}`;
}

interface WireMessage {
  type?: string;
  index?: number;
  result?: VerificationResult;
}

function parseLine(line: string, url: string): WireMessage {
  try {
    return JSON.parse(line) as WireMessage;
  } catch {
    throw new RemoteError(`the server at ${url} sent a line that is not JSON: ${line.slice(0, 80)}`);
  }
}

async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim() !== '') yield line;
  }
  if (pending.trim() !== '') yield pending;
}
