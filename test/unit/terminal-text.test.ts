import { describe, expect, it } from 'vitest';
import { escapeForTerminal, terminalSafeJson } from '../../native-host/src/cli/terminal-text.js';

const HOSTILE = [
  ['ESC (CSI: erase the line, move up)', '\x1b[2K\x1b[1A', '\\x1b[2K\\x1b[1A'],
  ['OSC 52 (write the clipboard), ended by BEL', '\x1b]52;c;ZXZpbA==\x07', '\\x1b]52;c;ZXZpbA==\\x07'],
  ['OSC ended by ST', '\x1b]0;title\x1b\\', '\\x1b]0;title\\x1b\\'],
  ['carriage return (overwrite the row)', 'ok\rFAKE', 'ok\\rFAKE'],
  ['backspace and DEL', 'a\x08b\x7f', 'a\\x08b\\x7f'],
  ['C1 CSI (U+009B)', '\u009b31m', '\\x9b31m'],
  ['C1 OSC and ST (U+009D, U+009C)', '\u009d52;c;eA==\u009c', '\\x9d52;c;eA==\\x9c'],
  ['right-to-left override', 'abc\u202edef', 'abc\\u202edef'],
  ['bidi isolates and marks', '\u2066x\u2069\u200f\u061c', '\\u2066x\\u2069\\u200f\\u061c'],
  ['line separator', 'a\u2028b', 'a\\u2028b'],
  ['newline and tab', 'a\nb\tc', 'a\\nb\\tc'],
] as const;

describe('escapeForTerminal', () => {
  it.each(HOSTILE)('shows %s and obeys none of it', (_what, text, shown) => {
    expect(escapeForTerminal(text)).toBe(shown);
    expect(escapeForTerminal(text)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('leaves ordinary text, Unicode included, as it is', () => {
    const text = 'Alice@Bücher.example 550 5.1.1 User unknown — 😀 日本語 C:\\path';
    expect(escapeForTerminal(text)).toBe(text);
  });
});

describe('terminalSafeJson', () => {
  it('is the same JSON value, with nothing a terminal would obey', () => {
    const value = { message: HOSTILE.map(([, text]) => text).join(' '), n: 1 };
    const json = terminalSafeJson(value, 2);
    expect(JSON.parse(json)).toEqual(value);
    expect(json).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028]/);
  });
});
