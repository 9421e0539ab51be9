import type { BrowserFamily } from './browsers.js';
import { DEV_EXTENSION_ID, FIREFOX_EXTENSION_ID, isExtensionId } from './extension-id.js';

// The native messaging host manifest: the JSON file a browser reads to learn which program to
// start for "io.mxlens.host" and which extensions may talk to it.

import { HOST_NAME } from '../../shared/protocol/messages.js';

export { HOST_NAME };
const HOST_DESCRIPTION = 'MX Lens: checks whether email mailboxes exist (DNS + SMTP, no mail sent)';

export interface HostManifest {
  name: string;
  description: string;
  path: string;
  type: 'stdio';
  allowed_origins?: string[];
  allowed_extensions?: string[];
}

/** Extra extension IDs given with --extension-id, sorted by kind. */
export interface ExtraExtensions {
  /** Chromium store IDs (32 letters a-p). */
  chromium: string[];
  /** Firefox add-on IDs (name@domain or {GUID}). */
  firefox: string[];
}

export const NO_EXTRA_EXTENSIONS: ExtraExtensions = { chromium: [], firefox: [] };

/** A Firefox add-on ID: an email-like name or a {GUID}. */
function isFirefoxExtensionId(text: string): boolean {
  return (
    /^[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+$/.test(text) ||
    /^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$/.test(text)
  );
}

/** Sorts --extension-id values; returns the first unusable one as an error. */
export function sortExtensionIds(ids: string[]): { ok: true; extra: ExtraExtensions } | { ok: false; bad: string } {
  const extra: ExtraExtensions = { chromium: [], firefox: [] };
  for (const raw of ids) {
    const id = raw.trim().replace(/^chrome-extension:\/\/([a-p]{32})\/?$/, '$1');
    if (isExtensionId(id)) extra.chromium.push(id);
    else if (isFirefoxExtensionId(id)) extra.firefox.push(id);
    else return { ok: false, bad: raw };
  }
  return { ok: true, extra };
}

export function hostManifest(
  family: BrowserFamily,
  launcherPath: string,
  extra: ExtraExtensions = NO_EXTRA_EXTENSIONS,
): HostManifest {
  const base = { name: HOST_NAME, description: HOST_DESCRIPTION, path: launcherPath, type: 'stdio' as const };
  if (family === 'firefox') {
    return { ...base, allowed_extensions: unique([FIREFOX_EXTENSION_ID, ...extra.firefox]) };
  }
  return {
    ...base,
    allowed_origins: unique([DEV_EXTENSION_ID, ...extra.chromium]).map((id) => `chrome-extension://${id}/`),
  };
}

/** The exact bytes written: stable, so installing twice writes nothing new. */
export function manifestText(manifest: HostManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The manifest in `text` if it is one of ours (name io.mxlens.host), else null. */
export function parseOurManifest(text: string): HostManifest | null {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const manifest = value as Partial<HostManifest>;
    return manifest.name === HOST_NAME ? (manifest as HostManifest) : null;
  } catch {
    return null;
  }
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
