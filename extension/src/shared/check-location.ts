// Where the checks run: on this computer (the native host, the default) or on an MX Lens server
// (`mxlens serve`) where outbound port 25 is open. Kept in storage.local under "checkLocation",
// apart from the other settings, so the options page can change it only after the browser has
// granted the server's origin (an optional host permission).

export type CheckLocation = { where: 'host' } | { where: 'server'; url: string; key: string };

export const CHECK_LOCATION_KEY = 'checkLocation';
export const ON_THIS_COMPUTER: CheckLocation = { where: 'host' };

/** Whatever is stored, a valid location: anything doubtful means this computer. */
export function completeCheckLocation(stored: unknown): CheckLocation {
  if (typeof stored !== 'object' || stored === null) return ON_THIS_COMPUTER;
  const { where, url, key } = stored as Record<string, unknown>;
  if (where !== 'server' || typeof url !== 'string' || typeof key !== 'string') return ON_THIS_COMPUTER;
  const origin = serverOrigin(url);
  return origin.ok && key !== '' ? { where: 'server', url: origin.origin, key } : ON_THIS_COMPUTER;
}

/**
 * The server's origin from what the user typed. HTTPS, because the API key travels with every
 * check; plain HTTP only to this machine (an SSH tunnel, a local test).
 */
export function serverOrigin(
  text: string,
): { ok: true; origin: string } | { ok: false; problem: 'invalid' | 'insecure' } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, problem: 'invalid' };
  }
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    return { ok: false, problem: 'invalid' };
  if (url.protocol === 'https:') return { ok: true, origin: url.origin };
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol === 'http:') return local ? { ok: true, origin: url.origin } : { ok: false, problem: 'insecure' };
  return { ok: false, problem: 'invalid' };
}

/** The optional host permission a server's origin needs ("https://mx.example.org/*"). */
export function permissionPattern(origin: string): string {
  const { protocol, hostname } = new URL(origin);
  // Match patterns carry no port: the permission covers the host on every port.
  return `${protocol}//${hostname}/*`;
}

/**
 * Where a result was found, as the extension marks it: the server's origin on results from an
 * MX Lens server (kept with them in the cache); none on the native host's (this computer).
 */
export interface CheckedOn {
  checkedOn?: string;
}

/** The server a result came from, or null: it was checked on this computer. */
export function serverOf(result: object): string | null {
  const on = (result as CheckedOn).checkedOn;
  return typeof on === 'string' && on !== '' ? on : null;
}
