// Untrusted decoded JSON → a typed request, or an error naming the exact problem.
// Pure TypeScript (no Node imports), so the extension can check what it sends the same way.

import { SETTINGS } from '../settings/table.js';
import type { ErrorCode } from './error-codes.js';
import {
  LIMITS,
  REQUEST_TYPES,
  type CancelRequest,
  type HelloRequest,
  type Request,
  type RequestId,
  type VerifyRequest,
  type VerifyRequestOptions,
} from './messages.js';

interface ValidationError {
  code: ErrorCode;
  message: string;
  /** The request's id when it could be read, so the error reply can echo it. */
  id: RequestId | null;
}

export type Validation = { ok: true; request: Request } | { ok: false; error: ValidationError };

/** The settings a request's `options` may set (settings/table.ts), then `fresh`. */
const OPTION_ROWS = SETTINGS.filter((row) => row.protocolOption);
const OPTION_NAMES: readonly string[] = [...OPTION_ROWS.map((row) => row.key), 'fresh'];

/** Thrown inside this module only; turned into `{ ok: false }` at the boundary. */
class Invalid {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
  ) {}
}

export function validateRequest(value: unknown): Validation {
  let id: RequestId | null = null;
  try {
    const message = asObject(value, 'the message');
    id = readId(message, 'id');
    const type = message.type;
    if (type === undefined) throw new Invalid('missing_field', 'missing field `type`');
    if (typeof type !== 'string') throw new Invalid('wrong_type', `\`type\` must be a string, not ${describe(type)}`);
    switch (type) {
      case 'hello':
        return { ok: true, request: readHello(message, id) };
      case 'verify':
        return { ok: true, request: readVerify(message, id) };
      case 'cancel':
        return { ok: true, request: readCancel(message, id) };
      default:
        throw new Invalid('unknown_type', `unknown message type ${quote(type)} (expected ${REQUEST_TYPES.join(', ')})`);
    }
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: { code: error.code, message: error.message, id } };
    throw error;
  }
}

function readHello(message: Record<string, unknown>, id: RequestId): HelloRequest {
  // `protocol` first: a peer of another protocol version still gets protocol_mismatch.
  const protocol = required(message, 'protocol');
  if (typeof protocol !== 'number')
    throw new Invalid('wrong_type', `\`protocol\` must be a number, not ${describe(protocol)}`);
  if (!Number.isSafeInteger(protocol) || protocol < 1) {
    throw new Invalid('bad_value', `\`protocol\` must be a whole number from 1 up, not ${protocol}`);
  }
  const extension = required(message, 'extension');
  if (typeof extension !== 'string')
    throw new Invalid('wrong_type', `\`extension\` must be a string, not ${describe(extension)}`);
  if (extension.length > 64) throw new Invalid('bad_value', '`extension` is longer than 64 characters');
  return { type: 'hello', id, protocol, extension };
}

function readVerify(message: Record<string, unknown>, id: RequestId): VerifyRequest {
  const addresses = required(message, 'addresses');
  if (!Array.isArray(addresses)) {
    throw new Invalid('wrong_type', `\`addresses\` must be an array of strings, not ${describe(addresses)}`);
  }
  if (addresses.length > LIMITS.maxAddressesPerRequest) {
    throw new Invalid(
      'too_many_addresses',
      `\`addresses\` has ${addresses.length} items; at most ${LIMITS.maxAddressesPerRequest} per request`,
    );
  }
  addresses.forEach((address: unknown, index) => {
    if (typeof address !== 'string') {
      throw new Invalid('wrong_type', `\`addresses[${index}]\` is not a string (it is ${describe(address)})`);
    }
  });
  const request: VerifyRequest = { type: 'verify', id, addresses: addresses as string[] };
  if (message.options !== undefined) request.options = readOptions(message.options);
  if (message.site !== undefined) request.site = readSite(message.site);
  if (message.progress !== undefined) {
    if (typeof message.progress !== 'boolean')
      throw new Invalid('wrong_type', `\`progress\` must be true or false, not ${describe(message.progress)}`);
    request.progress = message.progress;
  }
  return request;
}

/**
 * A page's top-level origin, exactly as the browser serializes it (`location.origin`):
 * http or https, lower-case host (IDNs in punycode), a port only when not the default, no
 * path, no trailing slash. Anything looser could split one site into many cache partitions
 * and budgets, or merge a site into the user's partition.
 */
function readSite(value: unknown): string {
  if (typeof value !== 'string') throw new Invalid('wrong_type', `\`site\` must be a string, not ${describe(value)}`);
  if (value.length > LIMITS.maxSiteLength)
    throw new Invalid('bad_value', `\`site\` is longer than ${LIMITS.maxSiteLength} characters`);
  if (!isSerializedOrigin(value)) {
    throw new Invalid(
      'bad_value',
      `\`site\` must be a page's origin like "https://example.com" or "http://example.com:8080", not ${quote(value)}`,
    );
  }
  return value;
}

function isSerializedOrigin(text: string): boolean {
  if (!/^https?:\/\/[a-z0-9.\-[\]:]+$/.test(text)) return false;
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}

function readOptions(value: unknown): VerifyRequestOptions {
  const input = asObject(value, '`options`');
  for (const name of Object.keys(input)) {
    if (!OPTION_NAMES.includes(name)) {
      throw new Invalid('bad_value', `unknown option \`options.${name}\` (known: ${OPTION_NAMES.join(', ')})`);
    }
  }
  const options: Record<string, unknown> = {};
  for (const row of OPTION_ROWS) {
    if (input[row.key] === undefined) continue;
    const parsed = row.parse(input[row.key]);
    if (!parsed.ok)
      throw new Invalid(
        parsed.code === 'type' ? 'wrong_type' : 'bad_value',
        `\`options.${row.key}\` ${parsed.problem}`,
      );
    // The proxy travels as its URL (the host parses it again when it applies the options).
    options[row.key] = row.key === 'proxy' ? input[row.key] : parsed.value;
  }
  const fresh = input.fresh;
  if (fresh !== undefined) {
    if (typeof fresh !== 'boolean')
      throw new Invalid('wrong_type', `\`options.fresh\` must be a boolean, not ${describe(fresh)}`);
    options.fresh = fresh;
  }
  return options as VerifyRequestOptions;
}

function readCancel(message: Record<string, unknown>, id: RequestId): CancelRequest {
  required(message, 'target');
  return { type: 'cancel', id, target: readId(message, 'target') };
}

function readId(message: Record<string, unknown>, field: 'id' | 'target'): RequestId {
  const value = required(message, field);
  if (typeof value === 'string') {
    if (value.length === 0) throw new Invalid('bad_value', `\`${field}\` must not be empty`);
    if (value.length > LIMITS.maxIdLength) {
      throw new Invalid('bad_value', `\`${field}\` is longer than ${LIMITS.maxIdLength} characters`);
    }
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new Invalid('bad_value', `\`${field}\` must be a whole number when it is a number, not ${value}`);
    return value;
  }
  throw new Invalid('wrong_type', `\`${field}\` must be a string or a number, not ${describe(value)}`);
}

function required(message: Record<string, unknown>, field: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(message, field) || message[field] === undefined) {
    throw new Invalid('missing_field', `missing field \`${field}\``);
  }
  return message[field];
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Invalid('wrong_type', `${what} must be a JSON object, not ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** "a number", "an array", "null", ... for messages. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
