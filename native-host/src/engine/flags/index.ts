import type { Flags } from '../result.js';
import { isDisposableDomain } from './disposable.js';
import { isFreeProvider } from './free-provider.js';
import { isRoleAccount } from './role.js';
import { suggestDomain } from './suggestion.js';

export { isDisposableDomain, isFreeProvider, isRoleAccount, suggestDomain };

/** The flags that follow from the address alone; catchAll needs an SMTP probe. */
export type AddressFlags = Pick<Flags, 'disposable' | 'role' | 'free'>;

/**
 * A likely typo of a provider's domain (gmial.com) is reported as that, through `suggestion`,
 * and not also as disposable or free: typo domains sit on those lists because squatters
 * registered them, and "Disposable, Free provider" would bury the one useful hint.
 */
export function computeFlags(localPart: string, domain: string): AddressFlags {
  const typo = suggestDomain(domain) !== null;
  return {
    disposable: !typo && isDisposableDomain(domain),
    role: isRoleAccount(localPart),
    free: !typo && isFreeProvider(domain),
  };
}

/** The address with a misspelled provider domain corrected ("a@gmial.com" → "a@gmail.com"). */
export function suggestAddress(localPart: string, domain: string): string | null {
  const suggestion = suggestDomain(domain);
  return suggestion === null ? null : `${localPart}@${suggestion}`;
}
