// Results as CSV (RFC 4180: CRLF rows, fields quoted when needed), safe to open in a
// spreadsheet: a text cell that starts like a formula is prefixed with a quote.
// Pure: no browser, no DOM.

import type { BadgeVerdict, VerificationResult } from '../shared/messages.js';

export type CsvValue = string | number | boolean | null | undefined;

/** Characters that make spreadsheets read a cell as a formula (OWASP: also tab and CR). */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text)) text = `"${text.replace(/"/g, '""')}"`;
  return text;
}

export function toCsv(rows: ReadonlyArray<ReadonlyArray<CsvValue>>): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export interface CsvItem {
  /** As the user or the page gave it. */
  address: string;
  verdict: BadgeVerdict;
  result: VerificationResult | null;
  /** Not an email address at all: never sent to the host. */
  invalidInput?: boolean;
}

export const CSV_COLUMNS = [
  'address',
  'verdict',
  'reason',
  'explanation',
  'mx',
  'smtp_code',
  'smtp_enhanced',
  'smtp_reply',
  'disposable',
  'role',
  'free',
  'catch_all',
  'suggestion',
] as const;

/** One row per item; `explain` turns a reason code into words (the page's language). */
export function resultsToCsv(items: readonly CsvItem[], explain: (reason: string) => string = (reason) => reason): string {
  const rows: CsvValue[][] = [[...CSV_COLUMNS]];
  for (const item of items) {
    const { result } = item;
    if (!result) {
      const reason = item.invalidInput ? 'invalid_syntax' : '';
      const row: CsvValue[] = [item.address, item.invalidInput ? 'undeliverable' : item.verdict, reason, reason ? explain(reason) : ''];
      while (row.length < CSV_COLUMNS.length) row.push(null);
      rows.push(row);
      continue;
    }
    rows.push([
      item.address,
      result.verdict,
      result.reason,
      explain(result.reason),
      result.mx,
      result.smtp?.code,
      result.smtp?.enhanced,
      result.smtp?.message,
      result.flags.disposable,
      result.flags.role,
      result.flags.free,
      result.flags.catchAll,
      result.suggestion,
    ]);
  }
  return toCsv(rows);
}

/** A file name like "mxlens-2025-01-31.csv". */
export function csvFileName(now: Date = new Date(), prefix = 'mxlens'): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${prefix}-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.csv`;
}
