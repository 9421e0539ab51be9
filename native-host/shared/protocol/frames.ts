// Native messaging framing: each message is a 32-bit unsigned length in the machine's native
// byte order, then that many bytes of UTF-8 JSON. Lengths count bytes, never characters.
//
// Pure TypeScript (Uint8Array, TextEncoder/TextDecoder, DataView): the caller says which byte
// order is native (the host asks os.endianness()), so this file runs anywhere and tests can
// try both orders.

import type { ErrorCode } from './error-codes.js';
import { LIMITS } from './messages.js';

const HEADER_BYTES = 4;

export interface FrameOptions {
  /** true on little-endian machines (x86, ARM as usually run). */
  littleEndian: boolean;
  /** Largest accepted body in bytes (default LIMITS.maxFrameBytes). */
  maxFrameBytes?: number;
}

export type FrameEvent =
  /** A complete frame body. */
  | { kind: 'frame'; body: Uint8Array }
  /** A header announced more than the limit: reported at once; the announced bytes are skipped as they come. */
  | { kind: 'too_large'; length: number };

/**
 * Cuts a byte stream into frames, whatever the chunking: a chunk may hold part of a header,
 * several frames, or the end of one frame and the start of the next.
 */
export class FrameReader {
  private readonly littleEndian: boolean;
  private readonly maxFrameBytes: number;
  private readonly header = new Uint8Array(HEADER_BYTES);
  private headerFill = 0;
  /** The body being filled, when its header was read and it is within the limit. */
  private body: Uint8Array | null = null;
  private bodyFill = 0;
  /** Bytes still to throw away from an oversize frame. */
  private skipping = 0;

  constructor(options: FrameOptions) {
    this.littleEndian = options.littleEndian;
    this.maxFrameBytes = options.maxFrameBytes ?? LIMITS.maxFrameBytes;
  }

  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.skipping > 0) {
        const take = Math.min(this.skipping, chunk.length - at);
        this.skipping -= take;
        at += take;
      } else if (this.body) {
        const take = Math.min(this.body.length - this.bodyFill, chunk.length - at);
        this.body.set(chunk.subarray(at, at + take), this.bodyFill);
        this.bodyFill += take;
        at += take;
        if (this.bodyFill === this.body.length) {
          events.push({ kind: 'frame', body: this.body });
          this.body = null;
        }
      } else {
        const take = Math.min(HEADER_BYTES - this.headerFill, chunk.length - at);
        this.header.set(chunk.subarray(at, at + take), this.headerFill);
        this.headerFill += take;
        at += take;
        if (this.headerFill === HEADER_BYTES) {
          this.headerFill = 0;
          this.startFrame(new DataView(this.header.buffer).getUint32(0, this.littleEndian), events);
        }
      }
    }
    return events;
  }

  /** Bytes of a frame begun but not finished (for "stream ended inside a frame" reports). */
  get partialBytes(): number {
    return this.headerFill + (this.body ? HEADER_BYTES + this.bodyFill : 0);
  }

  /** Bytes of an oversize frame still to skip. */
  get skippingBytes(): number {
    return this.skipping;
  }

  private startFrame(length: number, events: FrameEvent[]): void {
    if (length > this.maxFrameBytes) {
      events.push({ kind: 'too_large', length });
      this.skipping = length;
    } else if (length === 0) {
      events.push({ kind: 'frame', body: new Uint8Array(0) });
    } else {
      this.body = new Uint8Array(length);
      this.bodyFill = 0;
    }
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const encoder = new TextEncoder();

export type DecodedBody = { ok: true; value: unknown } | { ok: false; code: ErrorCode; message: string };

/** A frame body → the JSON value it holds, or why it holds none. */
export function decodeBody(body: Uint8Array): DecodedBody {
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    return { ok: false, code: 'bad_frame', message: `the frame body (${body.length} bytes) is not valid UTF-8` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, code: 'bad_json', message: `the frame body is not valid JSON: ${detail.slice(0, 200)}` };
  }
}

/** Header + body for a body already encoded. */
export function frameBytes(body: Uint8Array, littleEndian: boolean): Uint8Array {
  const frame = new Uint8Array(HEADER_BYTES + body.length);
  new DataView(frame.buffer).setUint32(0, body.length, littleEndian);
  frame.set(body, HEADER_BYTES);
  return frame;
}

export interface EncodeOptions {
  littleEndian: boolean;
  /** Every body produced is strictly shorter than this (default LIMITS.maxFrameBytes). */
  maxFrameBytes?: number;
}

/**
 * A message → one frame whose body is always shorter than the limit. A message that would be
 * too long has its longest strings and lists shortened (marked in the text, and with
 * `truncated: true` on the message) until it fits.
 */
export function encodeFrame(message: object, options: EncodeOptions): Uint8Array {
  const limit = options.maxFrameBytes ?? LIMITS.maxFrameBytes;
  return frameBytes(fitJson(message, limit), options.littleEndian);
}

/** UTF-8 JSON of `message`, shortened if needed to fewer than `limit` bytes. */
export function fitJson(message: object, limit: number): Uint8Array {
  let body = encoder.encode(JSON.stringify(message));
  if (body.length < limit) return body;

  const copy = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
  copy.truncated = true;
  for (let round = 0; round < 200; round++) {
    const biggest = largestShrinkable(copy);
    if (!biggest) break;
    shrink(biggest);
    body = encoder.encode(JSON.stringify(copy));
    if (body.length < limit) return body;
  }
  throw new Error(`cannot fit a message into ${limit} bytes`);
}

type Shrinkable =
  | { kind: 'string'; holder: Record<string, unknown> | unknown[]; key: string | number; size: number }
  | { kind: 'array'; array: unknown[]; size: number };

/** The string or array (list of at least 3 items) with the longest JSON, by bytes. */
function largestShrinkable(root: unknown): Shrinkable | null {
  let best: Shrinkable | null = null;
  const visit = (value: unknown, holder: Record<string, unknown> | unknown[] | null, key: string | number): number => {
    if (typeof value === 'string') {
      const size = utf8Length(JSON.stringify(value));
      if (holder && size > 64 && (!best || size > best.size)) best = { kind: 'string', holder, key, size };
      return size;
    }
    if (Array.isArray(value)) {
      let size = 2;
      value.forEach((item, index) => (size += visit(item, value, index) + 1));
      if (value.length >= 3 && (!best || size > best.size)) best = { kind: 'array', array: value, size };
      return size;
    }
    if (typeof value === 'object' && value !== null) {
      let size = 2;
      for (const [name, item] of Object.entries(value))
        size += visit(item, value as Record<string, unknown>, name) + name.length + 4;
      return size;
    }
    return String(value).length;
  };
  visit(root, null, '');
  return best;
}

function shrink(target: Shrinkable): void {
  if (target.kind === 'array') {
    // Keep the start and the end (a transcript's most telling lines), drop the middle half.
    const { array } = target;
    const drop = Math.max(1, Math.floor(array.length / 2));
    const from = Math.floor((array.length - drop) / 2);
    const allStrings = array.every((item) => typeof item === 'string');
    array.splice(from, drop, ...(allStrings ? [`…[${drop} items omitted]…`] : []));
    return;
  }
  const holder = target.holder as Record<string | number, unknown>;
  const text = holder[target.key] as string;
  let keep = Math.floor(text.length / 2);
  // Do not cut a surrogate pair in two.
  const code = text.charCodeAt(keep - 1);
  if (code >= 0xd800 && code <= 0xdbff) keep--;
  holder[target.key] = `${text.slice(0, keep)}…[${text.length - keep} characters omitted]`;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
