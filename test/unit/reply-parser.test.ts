import { describe, expect, it } from 'vitest';
import { ReplyParser, type ParseEvent } from '../../native-host/src/engine/smtp/reply-parser.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

function feedAll(parser: ReplyParser, chunks: Buffer[]): ParseEvent[] {
  return chunks.flatMap((chunk) => parser.feed(chunk));
}

function parse(text: string): ParseEvent[] {
  return new ReplyParser().feed(bytes(text));
}

const EHLO =
  '250-mx.example.com Hello client [192.0.2.1]\r\n' +
  '250-PIPELINING\r\n' +
  '250-SIZE 35882577\r\n' +
  '250-STARTTLS\r\n' +
  '250 SMTPUTF8\r\n';

const EHLO_REPLY: ParseEvent = {
  type: 'reply',
  reply: {
    code: 250,
    enhanced: null,
    message: 'mx.example.com Hello client [192.0.2.1]\nPIPELINING\nSIZE 35882577\nSTARTTLS\nSMTPUTF8',
  },
};

describe('ReplyParser: single replies', () => {
  it('parses a one-line banner', () => {
    expect(parse('220 mx.example.com ESMTP ready\r\n')).toEqual([
      { type: 'reply', reply: { code: 220, enhanced: null, message: 'mx.example.com ESMTP ready' } },
    ]);
  });

  it('parses a multi-line reply, joining the texts with newlines', () => {
    expect(parse(EHLO)).toEqual([EHLO_REPLY]);
  });

  it('accepts a bare code with no text', () => {
    expect(parse('250\r\n')).toEqual([{ type: 'reply', reply: { code: 250, enhanced: null, message: '' } }]);
  });

  it('accepts bare LF line endings', () => {
    expect(parse(EHLO.replaceAll('\r\n', '\n'))).toEqual([EHLO_REPLY]);
  });

  it('gives nothing until the last line is complete', () => {
    const parser = new ReplyParser();
    expect(parser.feed(bytes('250-first\r\n250 second'))).toEqual([]);
    expect(parser.midReply).toBe(true);
    expect(parser.feed(bytes('\r\n'))).toHaveLength(1);
    expect(parser.midReply).toBe(false);
  });
});

describe('ReplyParser: enhanced status codes', () => {
  it('takes the enhanced code from the first line and strips it from every line', () => {
    const text =
      '550-5.1.1 The email account that you tried to reach does not exist.\r\n' +
      '550-5.1.1 Please try double-checking the recipient\r\n' +
      '550 5.1.1 https://support.example.com/mail gsmtp\r\n';
    expect(parse(text)).toEqual([
      {
        type: 'reply',
        reply: {
          code: 550,
          enhanced: '5.1.1',
          message:
            'The email account that you tried to reach does not exist.\n' +
            'Please try double-checking the recipient\n' +
            'https://support.example.com/mail gsmtp',
        },
      },
    ]);
  });

  it('reads three-digit subject and detail parts', () => {
    expect(parse('451 4.7.650 Try again later\r\n')).toEqual([
      { type: 'reply', reply: { code: 451, enhanced: '4.7.650', message: 'Try again later' } },
    ]);
  });

  it('accepts an enhanced code with no text after it', () => {
    expect(parse('250 2.0.0\r\n')).toEqual([{ type: 'reply', reply: { code: 250, enhanced: '2.0.0', message: '' } }]);
  });

  it('ignores an enhanced code whose class differs from the reply code', () => {
    expect(parse('550 4.1.1 odd\r\n')).toEqual([
      { type: 'reply', reply: { code: 550, enhanced: null, message: '4.1.1 odd' } },
    ]);
  });

  it('ignores numbers that only look like an enhanced code', () => {
    expect(parse('250 2.0.0.1 version\r\n')).toEqual([
      { type: 'reply', reply: { code: 250, enhanced: null, message: '2.0.0.1 version' } },
    ]);
    expect(parse('220 2.5.1-beta ready\r\n')).toEqual([
      { type: 'reply', reply: { code: 220, enhanced: null, message: '2.5.1-beta ready' } },
    ]);
  });

  it('leaves lines that carry no (or another) enhanced code untouched', () => {
    expect(parse('550-5.7.1 Blocked\r\n550 see https://example.com\r\n')).toEqual([
      { type: 'reply', reply: { code: 550, enhanced: '5.7.1', message: 'Blocked\nsee https://example.com' } },
    ]);
  });
});

describe('ReplyParser: chunking', () => {
  it('gives the same reply for every split point, including inside CRLF and the code', () => {
    const whole = bytes(EHLO);
    for (let at = 0; at <= whole.length; at++) {
      const parser = new ReplyParser();
      const events = feedAll(parser, [whole.subarray(0, at), whole.subarray(at)]);
      expect(events, `split at ${at}`).toEqual([EHLO_REPLY]);
    }
  });

  it('gives the same reply when fed one byte at a time', () => {
    const whole = bytes(EHLO);
    const parser = new ReplyParser();
    const events = feedAll(
      parser,
      [...whole].map((b) => Buffer.from([b])),
    );
    expect(events).toEqual([EHLO_REPLY]);
  });

  it('gives several replies from one chunk, in order (pipelining)', () => {
    const events = parse('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <nobody@example.com>: unknown\r\n250 2.1.5 Ok\r\n');
    expect(events.map((e) => (e.type === 'reply' ? [e.reply.code, e.reply.enhanced] : e.type))).toEqual([
      [250, '2.1.0'],
      [250, '2.1.5'],
      [550, '5.1.1'],
      [250, '2.1.5'],
    ]);
  });

  it('keeps the remainder of a chunk for the next reply', () => {
    const parser = new ReplyParser();
    expect(parser.feed(bytes('250 Ok\r\n354 St'))).toEqual([
      { type: 'reply', reply: { code: 250, enhanced: null, message: 'Ok' } },
    ]);
    expect(parser.feed(bytes('art\r\n'))).toEqual([
      { type: 'reply', reply: { code: 354, enhanced: null, message: 'Start' } },
    ]);
  });

  it('decodes UTF-8 only once the line is whole, whatever the split', () => {
    const whole = bytes('550 5.1.1 Postfach “jürgen” 不存在 🙁\r\n');
    const expected: ParseEvent[] = [
      { type: 'reply', reply: { code: 550, enhanced: '5.1.1', message: 'Postfach “jürgen” 不存在 🙁' } },
    ];
    for (let at = 0; at <= whole.length; at++) {
      expect(feedAll(new ReplyParser(), [whole.subarray(0, at), whole.subarray(at)])).toEqual(expected);
    }
    expect(
      feedAll(
        new ReplyParser(),
        [...whole].map((b) => Buffer.from([b])),
      ),
    ).toEqual(expected);
  });
});

describe('ReplyParser: malformed input', () => {
  it.each([
    ['text without a code', 'hello there\r\n'],
    ['a two-digit code', '25 Ok\r\n'],
    ['letters in the code', '2x0 Ok\r\n'],
    ['an empty line', '\r\n'],
    ['a code outside 2xx-5xx', '199 Ok\r\n'],
    ['a bad separator', '250_Ok\r\n'],
    ['an HTTP answer', 'HTTP/1.1 400 Bad Request\r\n'],
  ])('reports %s as malformed', (_name, text) => {
    const events = parse(text);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', problem: 'malformed' });
  });

  it('reports a continuation line whose code differs from the first', () => {
    const events = parse('250-first\r\n251 second\r\n');
    expect(events).toEqual([
      { type: 'error', problem: 'malformed', detail: 'continuation line has code 251, reply started with 250' },
    ]);
  });

  it('gives the replies before the error, then the error, then nothing more', () => {
    const parser = new ReplyParser();
    const events = parser.feed(bytes('250 Ok\r\ngarbage\r\n250 Ok\r\n'));
    expect(events.map((e) => e.type)).toEqual(['reply', 'error']);
    expect(parser.failed).toBe(true);
    expect(parser.feed(bytes('250 Ok\r\n'))).toEqual([]);
    expect(parser.midReply).toBe(false);
  });
});

describe('ReplyParser: limits', () => {
  it('reports line_too_long for a 1 MB line with no line ending, at once', () => {
    const parser = new ReplyParser();
    const events = parser.feed(Buffer.alloc(1024 * 1024, 0x41));
    expect(events).toEqual([{ type: 'error', problem: 'line_too_long', detail: 'line longer than 2048 bytes' }]);
    expect(parser.failed).toBe(true);
  });

  it('reports line_too_long as soon as the cap is passed, fed in small chunks', () => {
    const parser = new ReplyParser({ maxLineBytes: 100 });
    let fedBytes = 0;
    let events: ParseEvent[] = [];
    while (events.length === 0 && fedBytes < 1024 * 1024) {
      events = parser.feed(Buffer.alloc(10, 0x41));
      fedBytes += 10;
    }
    expect(events[0]).toMatchObject({ type: 'error', problem: 'line_too_long' });
    expect(fedBytes).toBeLessThanOrEqual(110);
  });

  it('accepts a line exactly at the cap, with its CRLF split across chunks', () => {
    const line = '250 ' + 'x'.repeat(96);
    const parser = new ReplyParser({ maxLineBytes: 100 });
    expect(parser.feed(bytes(line + '\r'))).toEqual([]);
    expect(parser.feed(bytes('\n'))).toEqual([
      { type: 'reply', reply: { code: 250, enhanced: null, message: 'x'.repeat(96) } },
    ]);
  });

  it('rejects a line one byte over the cap', () => {
    const parser = new ReplyParser({ maxLineBytes: 100 });
    expect(parser.feed(bytes('250 ' + 'x'.repeat(97) + '\r\n'))[0]).toMatchObject({ problem: 'line_too_long' });
  });

  it('reports reply_too_large for too many lines', () => {
    const events = new ReplyParser({ maxLines: 5 }).feed(bytes('250-x\r\n'.repeat(6)));
    expect(events).toEqual([{ type: 'error', problem: 'reply_too_large', detail: 'reply has more than 5 lines' }]);
  });

  it('reports reply_too_large for too many bytes in one reply', () => {
    const line = '250-' + 'y'.repeat(1000) + '\r\n';
    const events = new ReplyParser().feed(bytes(line.repeat(70)));
    expect(events).toEqual([{ type: 'error', problem: 'reply_too_large', detail: 'reply is larger than 65536 bytes' }]);
  });

  it('counts the size per reply, not over the whole stream', () => {
    const parser = new ReplyParser({ maxReplyBytes: 100 });
    const events = parser.feed(bytes('250 '.concat('z'.repeat(80), '\r\n').repeat(5)));
    expect(events).toHaveLength(5);
    expect(events.every((e) => e.type === 'reply')).toBe(true);
  });
});
