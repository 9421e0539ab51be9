import { createHash } from 'node:crypto';
import extensionManifest from '../../../manifest.json';

// The extension's identity, from the ONE source of truth: the top-level manifest.json.
// Chromium derives an extension's ID from its public key, so the "key" there pins the ID of
// the unpacked development build; Firefox uses browser_specific_settings.gecko.id.

/** Chromium's rule: SHA-256 of the DER public key, first 32 hex digits, 0-f written as a-p. */
export function extensionIdFromKey(base64Der: string): string {
  const der = Buffer.from(base64Der, 'base64');
  if (der.length === 0) throw new Error('the extension key is empty');
  const hex = createHash('sha256').update(der).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode('a'.charCodeAt(0) + parseInt(digit, 16))).join('');
}

/** A Chromium extension ID: 32 letters a-p. */
export function isExtensionId(text: string): boolean {
  return /^[a-p]{32}$/.test(text);
}

/** The ID of the unpacked extension built from this repository (manifest.json "key"). */
export const DEV_EXTENSION_ID: string = extensionIdFromKey(extensionManifest.key);

/** The Firefox add-on ID (manifest.json browser_specific_settings.gecko.id). */
export const FIREFOX_EXTENSION_ID: string = extensionManifest.browser_specific_settings.gecko.id;
