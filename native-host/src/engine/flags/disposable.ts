// The list's text, parsed on first use: start-up (host, CLI) does not pay for it.
import blocklistText from 'disposable-email-domains-js/dist/dict/disposable_email_blocklist.json?raw';

let disposableDomains: Set<string> | null = null;

function domainSet(): Set<string> {
  disposableDomains ??= new Set((JSON.parse(blocklistText) as string[]).map((domain) => domain.toLowerCase()));
  return disposableDomains;
}

/** True when the domain, or any domain it is a subdomain of, is a known throwaway service. */
export function isDisposableDomain(domain: string): boolean {
  const domains = domainSet();
  return domainAndParents(domain.toLowerCase()).some((candidate) => domains.has(candidate));
}

/** "a.b.example.com" → ["a.b.example.com", "b.example.com", "example.com", "com"]. */
function domainAndParents(domain: string): string[] {
  const labels = domain.split('.');
  return labels.map((_, index) => labels.slice(index).join('.'));
}
