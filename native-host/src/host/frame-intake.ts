// What comes in on stdin, in order: bytes → frames (too large ones skipped with an error reply)
// → JSON bodies → validated requests, each handed to `dispatch`. Anything refused on the way gets
// an error reply and a log line; nothing here throws.

import { decodeBody, FrameReader } from '../../shared/protocol/frames.js';
import { errorReply, LIMITS, type HostMessage, type Request } from '../../shared/protocol/messages.js';
import { validateRequest } from '../../shared/protocol/validate.js';
import type { HostLog } from './log.js';

export interface FrameIntake {
  /** Feed one chunk of stdin. */
  push(chunk: Buffer): void;
  /** Bytes of a frame begun and not finished (stdin ended inside a frame). */
  readonly partialBytes: number;
}

export function frameIntake(options: {
  littleEndian: boolean;
  send: (message: HostMessage) => void;
  dispatch: (request: Request) => void;
  log: HostLog;
}): FrameIntake {
  const { send, dispatch, log } = options;
  const reader = new FrameReader({ littleEndian: options.littleEndian, maxFrameBytes: LIMITS.maxFrameBytes });

  const onBody = (body: Uint8Array): void => {
    const decoded = decodeBody(body);
    if (!decoded.ok) {
      log.warn(`refused a frame: ${decoded.message}`);
      send(errorReply(null, decoded.code, decoded.message));
      return;
    }
    const validation = validateRequest(decoded.value);
    if (!validation.ok) {
      const { id, code, message } = validation.error;
      log.warn(`refused a request${id === null ? '' : ` ${JSON.stringify(id)}`}: ${code}: ${message}`);
      send(errorReply(id, code, message));
      return;
    }
    dispatch(validation.request);
  };

  const push = (chunk: Buffer): void => {
    let events;
    try {
      events = reader.push(chunk);
    } catch (error) {
      log.error('reading frames failed:', error);
      return;
    }
    for (const event of events) {
      try {
        if (event.kind === 'too_large') {
          const message = `a frame of ${event.length} bytes was refused (at most ${LIMITS.maxFrameBytes}); its bytes are skipped`;
          log.warn(message);
          send(errorReply(null, 'frame_too_large', message));
        } else {
          onBody(event.body);
        }
      } catch (error) {
        log.error('handling a frame failed:', error);
        send(errorReply(null, 'internal', 'the host failed on a frame'));
      }
    }
  };

  return {
    push,
    get partialBytes() {
      return reader.partialBytes;
    },
  };
}
