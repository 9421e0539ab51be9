import freeDomains from 'free-email-domains/domains.json' with { type: 'json' };

let freeProviderDomains: Set<string> | null = null;

function domainSet(): Set<string> {
  freeProviderDomains ??= new Set(freeDomains.map((domain) => domain.toLowerCase()));
  return freeProviderDomains;
}

/** True when the domain itself (not a parent of it) is a free webmail provider. */
export function isFreeProvider(domain: string): boolean {
  return domainSet().has(domain.toLowerCase());
}
