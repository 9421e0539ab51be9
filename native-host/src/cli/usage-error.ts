import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was called: one line on stderr, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** node:util's parseArgs, strict; its complaint about a flag becomes a one-line UsageError. */
export function parseStrictArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>(config);
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-{1,2}[^'=]+)/.exec(message)?.[1] : undefined;
    if (unknown) throw new UsageError(unknownOptionMessage(unknown, Object.keys(config.options ?? {})));
    throw new UsageError(message.split('\n')[0]!);
  }
}

/** "unknown option --jsno (did you mean --json?)"; without a close match, "(see --help)". */
function unknownOptionMessage(given: string, known: readonly string[]): string {
  const match = closestOption(given.replace(/^-+/, ''), known);
  return `unknown option ${given} (${match ? `did you mean --${match}?` : 'see --help'})`;
}

/** The known option within a third of the name's length of edits (at least 1, at most 3). */
function closestOption(given: string, known: readonly string[]): string | null {
  const budget = Math.min(3, Math.max(1, Math.floor(given.length / 3)));
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const distance = editDistance(given.toLowerCase(), name);
    if (distance <= budget && (best === null || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}

/** Levenshtein distance, with a swap of neighbours counted as one edit ("jsno" → "json"). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}
