// Text from outside (a mail server's reply, DNS names, what a config file holds) is shown to a
// person on a terminal, which obeys control characters: ESC starts sequences that move the
// cursor, repaint rows, set the window title or (OSC 52) write the clipboard; BEL rings; C1
// controls (U+0080-U+009F) are the same commands in one character on some terminals; bidi
// overrides reorder what is shown. Human output shows each of them as a visible escape and
// obeys none. JSON output keeps the exact text (JSON escapes C0 itself; terminalSafeJson
// also escapes the rest, which changes no value).

/** C0, DEL, C1, the bidi controls and marks, and the line and paragraph separators. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify leaves as it is of the above (it escapes C0 itself). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** `text` with every control character written out (`\x1b`, `\u202e`), so a terminal shows it and obeys nothing. */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (char) => NAMED[char] ?? escapeCode(char, char.charCodeAt(0) <= 0xff ? 'x' : 'u'));
}

/** JSON.stringify, with what a terminal would obey written as \u escapes: the same JSON value, safe to print. */
export function terminalSafeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, (char) => escapeCode(char, 'u'));
}

function escapeCode(char: string, style: 'x' | 'u'): string {
  const code = char.charCodeAt(0);
  return style === 'x' ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
