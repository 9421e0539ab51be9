// The lists' text, parsed on first use: start-up (host, CLI) does not pay for it.
import allProvidersText from 'email-providers/all.json?raw';
import commonProvidersText from 'email-providers/common.json?raw';

// email-providers (a maintained list, no install scripts) has two lists: `all`, thousands of
// free-mail domains including typo-squatting registrations, and `common`, the providers
// people really use. The free flag uses `all`; typo suggestions must not be blocked by a
// squatter, so they trust only `common`.

// RFC 2606 names are nobody's mail provider, whatever a list says.
const RESERVED = new Set(['example.com', 'example.net', 'example.org']);

let free: Set<string> | null = null;
let common: Set<string> | null = null;

/** True when the domain itself (not a parent of it) is a free webmail provider. */
export function isFreeProvider(domain: string): boolean {
  free ??= new Set(
    (JSON.parse(allProvidersText) as string[]).map((d) => d.toLowerCase()).filter((d) => !RESERVED.has(d)),
  );
  return free.has(domain.toLowerCase());
}

/** True for the providers people commonly use (a much shorter list than isFreeProvider's). */
export function isCommonProvider(domain: string): boolean {
  common ??= new Set((JSON.parse(commonProvidersText) as string[]).map((d) => d.toLowerCase()));
  return common.has(domain.toLowerCase());
}
