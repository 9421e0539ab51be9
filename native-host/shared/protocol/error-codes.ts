// Every error the host can answer with, by code.
//
// APPEND-ONLY. A code's string and number are never changed, never reused and never removed,
// even when the host stops producing it: extensions of every age switch on them. A new kind of
// error gets a new line at the end with the next number. The meanings are for people (they are
// copied into PROTOCOL.md); the `message` of each error frame says what exactly went wrong.
// Pure TypeScript: imported by the host and the extension alike.

export const ERROR_CODES = {
  bad_frame: { number: 1, meaning: 'The frame could not be read (its body is not UTF-8).' },
  frame_too_large: { number: 2, meaning: 'The frame is longer than the limit (1 MiB); its bytes were skipped.' },
  bad_json: { number: 3, meaning: 'The frame body is not valid JSON.' },
  unknown_type: { number: 4, meaning: 'The `type` field names no message this host knows.' },
  missing_field: { number: 5, meaning: 'A required field is absent.' },
  wrong_type: { number: 6, meaning: 'A field (or the message itself) has the wrong JSON type.' },
  protocol_mismatch: {
    number: 7,
    meaning: 'Host and extension speak different protocol versions; the message says which side is older.',
  },
  too_many_addresses: {
    number: 8,
    meaning: 'A verify request holds more addresses than `limits.maxAddressesPerRequest`.',
  },
  unknown_request: {
    number: 9,
    meaning: 'A cancel names no verify request that is running (or has re-checks pending).',
  },
  internal: { number: 10, meaning: 'The host failed while handling this request (a bug); the host keeps running.' },
  busy: {
    number: 11,
    meaning: 'Too many verify requests are running at once (`limits.maxConcurrentRequests`); retry later.',
  },
  handshake_required: { number: 12, meaning: 'A request came before a successful `hello`.' },
  bad_value: {
    number: 13,
    meaning: 'A field has the right type but a value that is not allowed (range, format, unknown option).',
  },
  duplicate_id: { number: 14, meaning: 'A verify reuses the id of a verify that is still running.' },
} as const satisfies Record<string, { number: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
