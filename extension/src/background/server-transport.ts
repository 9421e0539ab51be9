// Checks sent to an MX Lens server (`mxlens serve`) instead of the native host: the same verify
// request as POST /v1/verify with the API key, read back as NDJSON (`result` lines, then
// `done`). It offers what the checks service uses of the native host (verify, status), so the
// background picks one or the other per check (RoutedChecks) and nothing else changes.

import type { DoneMessage, VerificationResult } from '../../../native-host/shared/protocol/messages.js';
import {
  CHECK_LOCATION_KEY,
  completeCheckLocation,
  ON_THIS_COMPUTER,
  type CheckedOn,
  type CheckLocation,
} from '../shared/check-location.js';
import type { HostProblem, HostStatus } from '../shared/status.js';
import type { ApiStorage } from './browser-api.js';
import type { NativeHost, VerifyCall } from './native-port.js';

export type Checker = Pick<NativeHost, 'verify' | 'status'>;
type ServerLocation = Extract<CheckLocation, { where: 'server' }>;

/** What fetch does (the global one in the extension; a test may give its own). */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export class ServerTransport implements Checker {
  constructor(
    private readonly location: () => ServerLocation,
    private readonly fetchImpl: Fetch = (input, init) => fetch(input, init),
  ) {}

  status(): HostStatus {
    const { url } = this.location();
    return { state: 'connected', hostVersion: `server ${url}`, settingsProblems: [], server: url };
  }

  verify(call: VerifyCall): void {
    const { url, key } = this.location();
    const aborter = new AbortController();
    const timer = setTimeout(() => aborter.abort(), call.deadlineMs);
    let count = 0;
    void this.stream(url, key, call, aborter.signal, (index, result) => {
      count++;
      // Marked with the server, so the card and the popup can say where the check ran.
      const marked: VerificationResult & CheckedOn = { ...result, checkedOn: url };
      call.handlers.onResult(index, marked);
    })
      .then(() => call.handlers.onDone({ type: 'done', id: 'server', count } satisfies DoneMessage))
      .catch((error: unknown) =>
        call.handlers.onFail(
          serverProblem(url, aborter.signal.aborted ? `no answer within ${call.deadlineMs} ms` : errorText(error)),
        ),
      )
      .finally(() => clearTimeout(timer));
  }

  private async stream(
    url: string,
    key: string,
    call: VerifyCall,
    signal: AbortSignal,
    onResult: (index: number, result: VerificationResult) => void,
  ): Promise<void> {
    const response = await this.fetchImpl(`${url}/v1/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/x-ndjson' },
      body: JSON.stringify({ addresses: call.addresses, options: call.options }),
      signal,
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${await refusalText(response)}`);
    if (!response.body) throw new Error('the server sent no body');
    let done = false;
    for await (const line of ndjsonLines(response.body)) {
      const message = JSON.parse(line) as { type?: unknown; index?: unknown; result?: unknown };
      if (
        message.type === 'result' &&
        typeof message.index === 'number' &&
        typeof message.result === 'object' &&
        message.result !== null
      ) {
        onResult(message.index, message.result as VerificationResult);
      } else if (message.type === 'done') done = true;
    }
    if (!done) throw new Error('the server ended its answer early (no "done")');
  }
}

/** The native host or the server, as the user chose on the options page (read at each check). */
export class RoutedChecks implements Checker {
  private location: CheckLocation = ON_THIS_COMPUTER;
  private readonly server: ServerTransport;

  constructor(
    private readonly host: Checker,
    storage: ApiStorage,
    fetchImpl?: Fetch,
  ) {
    this.server = new ServerTransport(() => this.location as ServerLocation, fetchImpl);
    // Registered at once: in a service worker, listeners must exist before the first await.
    storage.onChanged.addListener((changes, area) => {
      const change = changes[CHECK_LOCATION_KEY];
      if (area === 'local' && change) this.location = completeCheckLocation(change.newValue);
    });
    void storage.local.get(CHECK_LOCATION_KEY).then(
      (stored) => (this.location = completeCheckLocation(stored[CHECK_LOCATION_KEY])),
      () => undefined,
    );
  }

  get where(): CheckLocation['where'] {
    return this.location.where;
  }

  status(): HostStatus {
    return this.current().status();
  }

  verify(call: VerifyCall): void {
    this.current().verify(call);
  }

  private current(): Checker {
    return this.location.where === 'server' ? this.server : this.host;
  }
}

function serverProblem(url: string, raw: string): HostProblem {
  return {
    code: 'unknown',
    message: `The MX Lens server at ${url} could not check these addresses.`,
    fix: 'Check the server address and API key in the options (Where checks run), and that the server is running.',
    raw,
  };
}

async function refusalText(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.message === 'string') return body.message;
    if (typeof body.error === 'string') return body.error;
  } catch {
    // not JSON: its start says enough
  }
  return text.slice(0, 200) || response.statusText;
}

async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim() !== '') yield line;
  }
  pending += decoder.decode();
  if (pending.trim() !== '') yield pending;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
