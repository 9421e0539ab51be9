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

/**
 * The columns of `mxlens verify --json`, in its order, nested fields as "smtp.code": a CSV from
 * the popup and one made from the CLI's NDJSON line up. `transcript` (--verbose only) is left out.
 */
export const CSV_COLUMNS = [
  'address',
  'normalized',
  'verdict',
  'reason',
  'rule',
  'mx',
  'smtp.code',
  'smtp.enhanced',
  'smtp.message',
  'flags.disposable',
  'flags.role',
  'flags.free',
  'flags.catchAll',
  'suggestion',
  'detail',
  'retryAfterMs',
  'domainLiteral',
  'tls.used',
  'tls.certificateValid',
] as const;

type CsvColumn = (typeof CSV_COLUMNS)[number];

/** One column's value from a result: "smtp.code" is result.smtp?.code. */
function columnValue(result: VerificationResult, column: CsvColumn): CsvValue {
  let value: unknown = result;
  for (const part of column.split('.'))
    value = value === null || typeof value !== 'object' ? undefined : (value as Record<string, unknown>)[part];
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null
    ? value
    : undefined;
}

/**
 * One row per item. An item without a result (not checked, or not an address) fills address and
 * verdict, and reason invalid_syntax for input that is no address at all.
 */
export function resultsToCsv(items: readonly CsvItem[]): string {
  const rows: CsvValue[][] = [[...CSV_COLUMNS]];
  for (const item of items) {
    const { result } = item;
    if (result) {
      rows.push(CSV_COLUMNS.map((column) => (column === 'address' ? item.address : columnValue(result, column))));
      continue;
    }
    rows.push(
      CSV_COLUMNS.map((column) => {
        if (column === 'address') return item.address;
        if (column === 'verdict') return item.invalidInput ? 'undeliverable' : item.verdict;
        if (column === 'reason') return item.invalidInput ? 'invalid_syntax' : null;
        return null;
      }),
    );
  }
  return toCsv(rows);
}

/** A file name like "mxlens-2025-01-31.csv". */
export function csvFileName(now: Date = new Date(), prefix = 'mxlens'): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${prefix}-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.csv`;
}
