import { describe, expect, it } from 'vitest';
import {
  decodeBody,
  encodeFrame,
  fitJson,
  FrameReader,
  frameBytes,
  type FrameEvent,
} from '../../native-host/shared/protocol/frames.js';
import { LIMITS } from '../../native-host/shared/protocol/messages.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();

function frame(value: unknown, littleEndian = true): Uint8Array {
  return frameBytes(utf8.encode(JSON.stringify(value)), littleEndian);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function header(length: number, littleEndian = true): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, length, littleEndian);
  return bytes;
}

function bodies(events: FrameEvent[]): unknown[] {
  return events.map((event) =>
    event.kind === 'frame' ? JSON.parse(text.decode(event.body)) : { tooLarge: event.length },
  );
}

describe('frame header', () => {
  it('is the body length in bytes (not characters), in the byte order asked for', () => {
    const body = utf8.encode('{"a":"é😀"}'); // 8 ASCII bytes + 2 (é) + 4 (😀), 10 characters
    expect(body.length).toBe(14);
    expect([...frameBytes(body, true).subarray(0, 4)]).toEqual([14, 0, 0, 0]);
    expect([...frameBytes(body, false).subarray(0, 4)]).toEqual([0, 0, 0, 14]);
  });

  it('reads what it writes, in both byte orders', () => {
    for (const littleEndian of [true, false]) {
      const reader = new FrameReader({ littleEndian });
      expect(bodies(reader.push(frame({ x: 'ünïcödé' }, littleEndian)))).toEqual([{ x: 'ünïcödé' }]);
      expect(bodies(reader.push(frame({ n: 1 }, littleEndian)))).toEqual([{ n: 1 }]);
    }
  });
});

describe('FrameReader', () => {
  const stream = concat(frame({ a: 1 }), frame({ b: 'two' }), frame({ c: [3, 3, 3] }));

  it('splits several frames merged into one chunk', () => {
    expect(bodies(new FrameReader({ littleEndian: true }).push(stream))).toEqual([
      { a: 1 },
      { b: 'two' },
      { c: [3, 3, 3] },
    ]);
  });

  it('joins frames split at every possible point, down to one byte per chunk', () => {
    for (let size = 1; size <= stream.length; size++) {
      const reader = new FrameReader({ littleEndian: true });
      const seen: FrameEvent[] = [];
      for (let at = 0; at < stream.length; at += size) seen.push(...reader.push(stream.subarray(at, at + size)));
      expect(bodies(seen)).toEqual([{ a: 1 }, { b: 'two' }, { c: [3, 3, 3] }]);
      expect(reader.partialBytes).toBe(0);
    }
  });

  it('counts a header or body begun but not finished', () => {
    const reader = new FrameReader({ littleEndian: true });
    const one = frame({ a: 1 });
    expect(reader.push(one.subarray(0, 2))).toEqual([]);
    expect(reader.partialBytes).toBe(2);
    expect(reader.push(one.subarray(2, 6))).toEqual([]);
    expect(reader.partialBytes).toBe(6);
    expect(reader.push(one.subarray(6))).toHaveLength(1);
    expect(reader.partialBytes).toBe(0);
  });

  it('refuses a frame over the limit at once, skips its bytes and reads the next frame', () => {
    const reader = new FrameReader({ littleEndian: true, maxFrameBytes: 100 });
    const big = concat(header(250), new Uint8Array(250).fill(0x7b));
    const events = [...reader.push(big.subarray(0, 10))];
    expect(events).toEqual([{ kind: 'too_large', length: 250 }]);
    expect(reader.skippingBytes).toBe(244);
    events.push(...reader.push(concat(big.subarray(10), frame({ after: true }))));
    expect(bodies(events)).toEqual([{ tooLarge: 250 }, { after: true }]);
  });

  it('accepts a frame exactly at the limit', () => {
    const reader = new FrameReader({ littleEndian: true, maxFrameBytes: 10 });
    const body = utf8.encode('"12345678"');
    expect(body.length).toBe(10);
    expect(bodies(reader.push(frameBytes(body, true)))).toEqual(['12345678']);
  });

  it('uses 1 MiB as the default limit', () => {
    const reader = new FrameReader({ littleEndian: true });
    expect(reader.push(header(LIMITS.maxFrameBytes + 1))).toEqual([{ kind: 'too_large', length: 1024 * 1024 + 1 }]);
    expect(new FrameReader({ littleEndian: true }).push(header(LIMITS.maxFrameBytes))).toEqual([]);
  });

  it('reports a bogus huge length as too large without allocating it', () => {
    const reader = new FrameReader({ littleEndian: true });
    expect(reader.push(header(0xffffffff))).toEqual([{ kind: 'too_large', length: 0xffffffff }]);
    expect(reader.push(frame({ swallowed: true }))).toEqual([]);
  });

  it('delivers an empty frame as an empty body', () => {
    const events = new FrameReader({ littleEndian: true }).push(concat(header(0), frame(1)));
    expect(events[0]).toEqual({ kind: 'frame', body: new Uint8Array(0) });
    expect(events).toHaveLength(2);
  });
});

describe('decodeBody', () => {
  it('parses UTF-8 JSON', () => {
    expect(decodeBody(utf8.encode('{"type":"hello","x":"ß"}'))).toEqual({ ok: true, value: { type: 'hello', x: 'ß' } });
  });

  it('says bad_json for text that is not JSON, and for an empty body', () => {
    expect(decodeBody(utf8.encode('{"type":'))).toMatchObject({ ok: false, code: 'bad_json' });
    expect(decodeBody(new Uint8Array(0))).toMatchObject({ ok: false, code: 'bad_json' });
  });

  it('says bad_frame for bytes that are not UTF-8', () => {
    expect(decodeBody(new Uint8Array([0x22, 0xff, 0xfe, 0x22]))).toMatchObject({ ok: false, code: 'bad_frame' });
  });
});

describe('encodeFrame', () => {
  it('leaves a message that fits alone', () => {
    const message = { type: 'done', id: 'a', count: 3 };
    const out = encodeFrame(message, { littleEndian: true });
    expect(JSON.parse(text.decode(out.subarray(4)))).toEqual(message);
    expect(new DataView(out.buffer).getUint32(0, true)).toBe(out.length - 4);
  });

  it('shortens a gigantic transcript and message so the frame stays under 1 MiB', () => {
    const result = {
      address: 'a@example.com',
      detail: 'x'.repeat(3 * 1024 * 1024),
      smtp: { code: 250, enhanced: null, message: 'é'.repeat(800_000) },
      transcript: Array.from({ length: 50_000 }, (_, i) => `S: 250-line ${i} ${'y'.repeat(40)}`),
    };
    const message = { type: 'result', id: 'v1', index: 7, result };
    const out = encodeFrame(message, { littleEndian: true });
    expect(out.length - 4).toBeLessThan(LIMITS.maxFrameBytes);
    const back = JSON.parse(text.decode(out.subarray(4)));
    expect(back).toMatchObject({
      type: 'result',
      id: 'v1',
      index: 7,
      truncated: true,
      result: { address: 'a@example.com' },
    });
    expect(back.result.transcript[0]).toBe(result.transcript[0]);
    expect(back.result.transcript.at(-1)).toBe(result.transcript.at(-1));
    expect(back.result.transcript.some((line: string) => /items omitted/.test(line))).toBe(true);
    // The original message is left as it was.
    expect(result.transcript).toHaveLength(50_000);
  });

  it('never splits a surrogate pair when cutting', () => {
    const body = fitJson({ s: '😀'.repeat(100_000) }, 1000);
    expect(body.length).toBeLessThan(1000);
    const back = JSON.parse(text.decode(body)) as { s: string };
    expect(back.s).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('keeps every body strictly under the limit, whatever the size', () => {
    for (const size of [10, 1000, 100_000]) {
      const body = fitJson({ type: 'result', id: 1, big: 'z'.repeat(size * 3) }, size + 100);
      expect(body.length).toBeLessThan(size + 100);
    }
  });
});
