import type { SmtpReply } from '../../../shared/result.js';

// An incremental parser for SMTP replies (RFC 5321 §4.2) over raw bytes. Pure: no I/O.

export interface ParserLimits {
  /** Longest line, without its line ending. RFC 5321 says 512; real servers go beyond. */
  maxLineBytes: number;
  /** Largest reply, all lines together. */
  maxReplyBytes: number;
  /** Most lines in one reply. */
  maxLines: number;
}

type ParseProblem = 'line_too_long' | 'reply_too_large' | 'malformed';

export type ParseEvent = { type: 'reply'; reply: SmtpReply } | { type: 'error'; problem: ParseProblem; detail: string };

const DEFAULT_PARSER_LIMITS: ParserLimits = {
  maxLineBytes: 2048,
  maxReplyBytes: 64 * 1024,
  maxLines: 200,
};

const LF = 0x0a;
const CR = 0x0d;
const ENHANCED_CODE = /^([245])\.(\d{1,3})\.(\d{1,3})(?= |$)/;

interface ReplyLine {
  code: number;
  last: boolean;
  text: string;
}

class ParseFailure extends Error {
  constructor(
    readonly problem: ParseProblem,
    detail: string,
  ) {
    super(detail);
  }
}

export class ReplyParser {
  private readonly limits: ParserLimits;
  /** Bytes of the line being assembled (no line ending seen yet). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Complete lines of the reply being assembled. */
  private lines: ReplyLine[] = [];
  private replyBytes = 0;
  private failure: ParseFailure | null = null;

  constructor(limits: Partial<ParserLimits> = {}) {
    this.limits = { ...DEFAULT_PARSER_LIMITS, ...limits };
  }

  /** true once an error was reported: every later feed() returns no events. */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** true when part of a reply has arrived but not its last line. */
  get midReply(): boolean {
    return this.partialBytes > 0 || this.lines.length > 0;
  }

  feed(chunk: Buffer): ParseEvent[] {
    if (this.failure) return [];
    const events: ParseEvent[] = [];
    try {
      this.consume(chunk, events);
    } catch (error) {
      if (!(error instanceof ParseFailure)) throw error;
      this.fail(error);
      events.push({ type: 'error', problem: error.problem, detail: error.message });
    }
    return events;
  }

  private consume(chunk: Buffer, events: ParseEvent[]): void {
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(LF, start);
      if (end === -1) {
        this.appendPartial(chunk.subarray(start));
        return;
      }
      const reply =
        this.partialBytes === 0
          ? this.completeLine(chunk, start, end)
          : this.completeSplitLine(chunk.subarray(start, end));
      if (reply) events.push({ type: 'reply', reply });
      start = end + 1;
    }
  }

  private appendPartial(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.partial.push(bytes);
    this.partialBytes += bytes.length;
    // One extra byte may be the CR of a CRLF split across chunks.
    if (this.partialBytes > this.limits.maxLineBytes + 1) this.lineTooLong();
  }

  /** A line that began in an earlier chunk: joined with its start first. */
  private completeSplitLine(rest: Buffer): SmtpReply | null {
    this.appendPartial(rest);
    const bytes = Buffer.concat(this.partial, this.partialBytes);
    this.partial = [];
    this.partialBytes = 0;
    return this.completeLine(bytes, 0, bytes.length);
  }

  /** The line is bytes[start, lf), read in place: most lines arrive whole, up to 100 to a chunk. */
  private completeLine(bytes: Buffer, start: number, lf: number): SmtpReply | null {
    const end = lf > start && bytes[lf - 1] === CR ? lf - 1 : lf;
    if (end - start > this.limits.maxLineBytes) this.lineTooLong();

    const line = parseLine(bytes, start, end);
    const first = this.lines[0];
    if (first && line.code !== first.code) {
      throw new ParseFailure('malformed', `continuation line has code ${line.code}, reply started with ${first.code}`);
    }
    this.replyBytes += end - start;
    if (this.lines.length + 1 > this.limits.maxLines) {
      throw new ParseFailure('reply_too_large', `reply has more than ${this.limits.maxLines} lines`);
    }
    if (this.replyBytes > this.limits.maxReplyBytes) {
      throw new ParseFailure('reply_too_large', `reply is larger than ${this.limits.maxReplyBytes} bytes`);
    }
    if (!line.last) {
      this.lines.push(line);
      return null;
    }
    const reply = buildReply(this.lines, line);
    if (first) this.lines = [];
    this.replyBytes = 0;
    return reply;
  }

  private lineTooLong(): never {
    throw new ParseFailure('line_too_long', `line longer than ${this.limits.maxLineBytes} bytes`);
  }

  private fail(failure: ParseFailure): void {
    this.failure = failure;
    this.partial = [];
    this.partialBytes = 0;
    this.lines = [];
  }
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** `250-text`, `250 text` or a bare `250`. */
function parseLine(bytes: Buffer, start: number, end: number): ReplyLine {
  const at = (offset: number) => (start + offset < end ? bytes[start + offset] : undefined);
  const first = at(0);
  const second = at(1);
  const third = at(2);
  const separator = at(3);
  const codeOk = isDigit(first) && isDigit(second) && isDigit(third);
  const classOk = first !== undefined && first >= 0x32 && first <= 0x35; // 2..5
  if (!codeOk || !classOk) {
    throw new ParseFailure(
      'malformed',
      `line does not start with a reply code: ${preview(bytes.subarray(start, end))}`,
    );
  }
  if (separator !== undefined && separator !== 0x20 && separator !== 0x2d) {
    throw new ParseFailure(
      'malformed',
      `unexpected character after the reply code: ${preview(bytes.subarray(start, end))}`,
    );
  }
  return {
    code: (first - 0x30) * 100 + (second! - 0x30) * 10 + (third! - 0x30),
    last: separator !== 0x2d,
    // Decoded only now, with the whole line at hand, so no UTF-8 sequence is ever cut.
    text: start + 4 < end ? bytes.toString('utf8', start + 4, end) : '',
  };
}

/** The reply whose last line is `last`; most replies are that line alone (no array is built). */
function buildReply(earlier: readonly ReplyLine[], last: ReplyLine): SmtpReply {
  const first = earlier[0] ?? last;
  const enhanced = enhancedCode(first.code, first.text);
  const textOf = (line: ReplyLine) => (enhanced ? stripEnhanced(line.text, enhanced) : line.text);
  const message = earlier.length === 0 ? textOf(last) : [...earlier, last].map(textOf).join('\n');
  return { code: first.code, enhanced, message };
}

/** RFC 3463: only trusted when its class matches the reply's first digit. */
function enhancedCode(code: number, text: string): string | null {
  const match = ENHANCED_CODE.exec(text);
  if (!match || Number(match[1]) !== Math.floor(code / 100)) return null;
  return match[0];
}

function stripEnhanced(text: string, enhanced: string): string {
  if (!text.startsWith(enhanced)) return text;
  const rest = text.slice(enhanced.length);
  if (rest === '') return '';
  return rest.startsWith(' ') ? rest.slice(1) : text;
}

function preview(bytes: Buffer): string {
  return JSON.stringify(bytes.subarray(0, 40).toString('latin1'));
}
