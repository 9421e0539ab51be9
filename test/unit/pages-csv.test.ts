import { describe, expect, it } from 'vitest';
import type { VerificationResult } from '../../extension/src/shared/messages.js';
import { CSV_COLUMNS, csvCell, csvFileName, resultsToCsv, toCsv } from '../../extension/src/ui/csv.js';

function result(overrides: Partial<VerificationResult> = {}): VerificationResult {
  return {
    address: 'bob@example.org',
    normalized: 'bob@example.org',
    verdict: 'undeliverable',
    reason: 'mailbox_not_found',
    rule: 'no-such-mailbox-text',
    mx: 'mx.example.org',
    smtp: { code: 550, enhanced: '5.1.1', message: 'User unknown' },
    flags: { disposable: false, role: false, free: false, catchAll: false },
    suggestion: null,
    detail: 'The mail server says this mailbox does not exist.',
    ...overrides,
  };
}

/** A small RFC 4180 reader, to check that what we write reads back the same. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += c;
  }
  return rows;
}

describe('csvCell', () => {
  it('leaves plain text alone', () => {
    expect(csvCell('alice@example.com')).toBe('alice@example.com');
    expect(csvCell(550)).toBe('550');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
  });

  it.each(['=1+1', '+1', '-2', '@SUM(A1:A2)', '\tx', '\rx'])('prefixes formula-like text %j with a quote', (text) => {
    expect(csvCell(text).replace(/^"/, '').startsWith(`'${text[0]}`)).toBe(true);
  });

  it('is formula-safe even when quoting too', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
  });

  it('does not touch numbers', () => {
    expect(csvCell(-5)).toBe('-5');
  });
});

describe('toCsv / resultsToCsv', () => {
  it('writes CRLF rows that read back as written', () => {
    const rows = [
      ['a', 'b,c', 'd "e"'],
      ['multi\nline', '', 'x'],
    ];
    const text = toCsv(rows);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual(rows);
  });

  it('has the columns of mxlens verify --json, nested fields as smtp.code, in its order', () => {
    // A result with every field the CLI can print (transcript is --verbose only).
    const full = result({ retryAfterMs: 60_000, domainLiteral: true, tls: { used: true, certificateValid: false } });
    const flatten = (value: object, prefix = ''): string[] =>
      Object.entries(value).flatMap(([key, inner]) =>
        inner !== null && typeof inner === 'object'
          ? flatten(inner as object, `${prefix}${key}.`)
          : [`${prefix}${key}`],
      );
    expect([...CSV_COLUMNS]).toEqual(flatten(JSON.parse(JSON.stringify(full)) as object));
  });

  it('has a header and one row per result, empty cells where the CLI prints null', () => {
    const text = resultsToCsv([
      { address: 'bob@example.org', verdict: 'undeliverable', result: result() },
      { address: 'carol@example.com', verdict: 'pending', result: null },
      { address: 'not-an-address', verdict: 'undeliverable', result: null, invalidInput: true },
    ]);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
    expect(rows[1]).toEqual([
      'bob@example.org',
      'bob@example.org',
      'undeliverable',
      'mailbox_not_found',
      'no-such-mailbox-text',
      'mx.example.org',
      '550',
      '5.1.1',
      'User unknown',
      'false',
      'false',
      'false',
      'false',
      '',
      'The mail server says this mailbox does not exist.',
      '',
      '',
      '',
      '',
    ]);
    expect(rows[2]!.slice(0, 4)).toEqual(['carol@example.com', '', 'pending', '']);
    expect(rows[3]!.slice(0, 4)).toEqual(['not-an-address', '', 'undeliverable', 'invalid_syntax']);
  });

  it('keeps a hostile server reply in one cell and defuses formulas in it', () => {
    const reply = '=cmd|" /C calc"!A0,\r\n550 no';
    const rows = parseCsv(
      resultsToCsv([
        {
          address: '+x@example.org',
          verdict: 'undeliverable',
          result: result({ address: '+x@example.org', smtp: { code: 550, enhanced: null, message: reply } }),
        },
      ]),
    );
    expect(rows).toHaveLength(2);
    expect(rows[1]![0]).toBe("'+x@example.org");
    expect(rows[1]![CSV_COLUMNS.indexOf('smtp.message')]).toBe(`'${reply}`);
    expect(rows[1]![CSV_COLUMNS.indexOf('smtp.enhanced')]).toBe('');
  });

  it('names files by date', () => {
    expect(csvFileName(new Date(2025, 0, 31))).toBe('mxlens-2025-01-31.csv');
  });
});
