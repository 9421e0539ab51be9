import { isCommonProvider } from './free-provider.js';

// Most used first: when two providers are equally close, the earlier one wins.
const POPULAR_PROVIDERS = [
  'gmail.com',
  'yahoo.com',
  'hotmail.com',
  'outlook.com',
  'icloud.com',
  'aol.com',
  'live.com',
  'msn.com',
  'me.com',
  'mac.com',
  'googlemail.com',
  'yahoo.co.uk',
  'hotmail.co.uk',
  'ymail.com',
  'protonmail.com',
  'proton.me',
  'comcast.net',
  'gmx.de',
  'gmx.net',
  'gmx.com',
  'web.de',
  't-online.de',
  'mail.com',
  'mail.ru',
  'yandex.ru',
  'qq.com',
  '163.com',
  '126.com',
  'sina.com',
  'orange.fr',
  'yahoo.fr',
  'hotmail.fr',
  'zoho.com',
  'fastmail.com',
];

// Only applied when the rest of the domain is (nearly) a known provider's name, so real
// country domains such as .co or .cm are not "corrected" on their own.
const SUFFIX_TYPOS: Readonly<Record<string, readonly string[]>> = {
  com: ['con', 'cmo', 'ocm', 'omc', 'comm', 'coom', 'cm', 'co', 'om', 'cpm', 'vom', 'xom', 'cim', 'c0m'],
  net: ['nte', 'ent', 'ne', 'nt', 'nett', 'met'],
};

// Real providers one slip away from a popular one, missing from the common list.
const GENUINE_NEIGHBOURS = new Set(['ymail.com', 'email.com', 'gmx.com', 'mail.com']);

interface DomainParts {
  name: string;
  suffix: string;
}

const providers = POPULAR_PROVIDERS.map((domain) => ({ domain, ...splitDomain(domain) }));

/**
 * A well-known provider domain the given domain is probably a misspelling of
 * ("gmial.com" → "gmail.com"), or null. Advisory only: it says null when unsure.
 */
export function suggestDomain(domain: string): string | null {
  const typed = domain.toLowerCase();
  if (POPULAR_PROVIDERS.includes(typed) || isGenuineFreeProvider(typed)) return null;
  const parts = splitDomain(typed);
  let best: { domain: string; distance: number } | null = null;
  for (const provider of providers) {
    const distance = typoDistance(parts, provider);
    if (distance !== null && (best === null || distance < best.distance)) {
      best = { domain: provider.domain, distance };
    }
  }
  return best?.domain ?? null;
}

function isGenuineFreeProvider(domain: string): boolean {
  return isCommonProvider(domain) || GENUINE_NEIGHBOURS.has(domain);
}

/** "yahoo.co.uk" → { name: "yahoo", suffix: "co.uk" }. */
function splitDomain(domain: string): DomainParts {
  const dot = domain.indexOf('.');
  if (dot === -1) return { name: domain, suffix: '' };
  return { name: domain.slice(0, dot), suffix: domain.slice(dot + 1) };
}

/** How many slips turn the provider into the typed domain, or null when too far to guess. */
function typoDistance(typed: DomainParts, provider: DomainParts): number | null {
  const suffixCost = suffixTypoCost(typed.suffix, provider.suffix);
  if (suffixCost === null) return null;
  const nameCost = editDistance(typed.name, provider.name);
  if (nameCost > allowedNameEdits(provider.name)) return null;
  return nameCost + suffixCost;
}

function suffixTypoCost(typed: string, provider: string): number | null {
  if (typed === provider) return 0;
  return SUFFIX_TYPOS[provider]?.includes(typed) ? 1 : null;
}

// Short names have too many real neighbours ("live" → hive, five, line), so they are only
// corrected in the suffix; long names can take two slips.
function allowedNameEdits(name: string): number {
  if (name.length <= 4) return 0;
  if (name.length <= 8) return 1;
  return 2;
}

/**
 * Damerau–Levenshtein distance (optimal string alignment): insertions, deletions,
 * substitutions and swaps of two neighbouring characters each count as one.
 */
export function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let cost = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        cost = Math.min(cost, (beforePrevious[j - 2] ?? 0) + 1);
      }
      current.push(cost);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
