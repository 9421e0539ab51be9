import type { RequestId } from '../../shared/protocol/messages.js';

/** Map key for a request id: 7 and "7" are different ids. */
export function idKey(id: RequestId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}
