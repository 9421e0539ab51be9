import { errorReply, type CancelRequest } from '../../../shared/protocol/messages.js';
import { idKey } from '../request-id.js';
import type { HostState } from '../state.js';

/**
 * Stops a running verify (its stream ends with `done` carrying `cancelled: true`), then answers
 * `cancelled`. After `cancelled`, no frame for the target follows.
 */
export async function cancel(state: HostState, request: CancelRequest): Promise<void> {
  if (!state.handshake) {
    state.send(errorReply(request.id, 'handshake_required', 'send hello first'));
    return;
  }
  const job = state.jobs.get(idKey(request.target));
  if (!job) {
    state.send(
      errorReply(
        request.id,
        'unknown_request',
        `no running verify has id ${JSON.stringify(request.target)} (finished already, or never started)`,
      ),
    );
    return;
  }
  job.controller.abort();
  await job.finished;
  state.send({ type: 'cancelled', id: request.id, target: request.target });
}
