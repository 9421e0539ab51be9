import type { Flags } from '../../../shared/result.js';
import { isDisposableDomain } from './disposable.js';
import { isFreeProvider } from './free-provider.js';
import { isRoleAccount } from './role.js';
import { suggestDomain } from './suggestion.js';

/** The flags that follow from the address alone; catchAll needs an SMTP probe. */
export type AddressFlags = Pick<Flags, 'disposable' | 'role' | 'free'>;

interface DomainFlags {
  suggestion: string | null;
  disposable: boolean;
  free: boolean;
}

// A run checks many addresses per domain, and the domain's flags (a typo search over the
// providers, parent-domain lookups in the lists) cost more than the rest of an address's
// pipeline together. Bounded: a run over millions of distinct domains starts over.
const MAX_REMEMBERED_DOMAINS = 10_000;
const byDomain = new Map<string, DomainFlags>();

/**
 * A likely typo of a provider's domain (gmial.com) is reported as that, through `suggestion`,
 * and not also as disposable or free: typo domains sit on those lists because squatters
 * registered them, and "Disposable, Free provider" would bury the one useful hint.
 */
function domainFlags(domain: string): DomainFlags {
  let flags = byDomain.get(domain);
  if (flags) return flags;
  const suggestion = suggestDomain(domain);
  const typo = suggestion !== null;
  flags = { suggestion, disposable: !typo && isDisposableDomain(domain), free: !typo && isFreeProvider(domain) };
  if (byDomain.size >= MAX_REMEMBERED_DOMAINS) byDomain.clear();
  byDomain.set(domain, flags);
  return flags;
}

/** Works out a domain's flags ahead of its results (they are remembered). */
export function warmDomainFlags(domain: string): void {
  domainFlags(domain);
}

export function computeFlags(localPart: string, domain: string): AddressFlags {
  const { disposable, free } = domainFlags(domain);
  return { disposable, role: isRoleAccount(localPart), free };
}

/** The address with a misspelled provider domain corrected ("a@gmial.com" → "a@gmail.com"). */
export function suggestAddress(localPart: string, domain: string): string | null {
  const { suggestion } = domainFlags(domain);
  return suggestion === null ? null : `${localPart}@${suggestion}`;
}
