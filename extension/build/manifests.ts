// One manifest for both browsers (the top-level manifest.json), turned into each browser's own:
//
// - Chrome: background.service_worker only; keeps "key" (it pins the development ID);
//   no browser_specific_settings (Chrome warns about keys it does not know).
// - Firefox: background.scripts only (an event page; Firefox has no extension service workers);
//   browser_specific_settings.gecko; no "key" and no Chrome-only keys.
//
// The version always comes from package.json. Pure: objects in, objects out.

export type TargetBrowser = 'chrome' | 'firefox';
export const TARGET_BROWSERS: readonly TargetBrowser[] = ['chrome', 'firefox'];

const FIREFOX_MIN_VERSION = '128.0';

export type Manifest = Record<string, unknown> & {
  background?: { service_worker?: string; scripts?: string[]; type?: string };
  content_scripts?: Array<Record<string, unknown> & { js?: string[]; css?: string[] }>;
  browser_specific_settings?: { gecko?: Record<string, unknown> } & Record<string, unknown>;
};

/** Keys only Chrome reads. */
const CHROME_ONLY = ['key', 'minimum_chrome_version'] as const;

export interface ManifestExtras {
  version: string;
  /** CSS files the content script build produced (listed with it). */
  contentCss?: string[];
}

export function browserManifest(source: Manifest, browser: TargetBrowser, extras: ManifestExtras): Manifest {
  const manifest = structuredClone(source);
  manifest.version = extras.version;
  if (extras.contentCss?.length) {
    manifest.content_scripts = (manifest.content_scripts ?? []).map((script) => ({
      ...script,
      css: [...(script.css ?? []), ...extras.contentCss!.filter((file) => !(script.css ?? []).includes(file))],
    }));
  }
  const background = manifest.background ?? {};
  const script = background.service_worker ?? background.scripts?.[0];
  if (!script) throw new Error('manifest.json names no background script');
  if (browser === 'chrome') {
    manifest.background = { service_worker: script };
    delete manifest.browser_specific_settings;
  } else {
    manifest.background = { scripts: [script] };
    for (const key of CHROME_ONLY) delete manifest[key];
    const settings = manifest.browser_specific_settings ?? {};
    const gecko = settings.gecko ?? {};
    if (typeof gecko.id !== 'string' || !gecko.id)
      throw new Error('manifest.json has no browser_specific_settings.gecko.id');
    manifest.browser_specific_settings = { ...settings, gecko: { strict_min_version: FIREFOX_MIN_VERSION, ...gecko } };
  }
  return manifest;
}

/** Every file a manifest names (scripts, pages, icons), relative to the extension's folder. */
export function filesNamedBy(manifest: Manifest): string[] {
  const files = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string' && value) files.add(value);
  };
  add(manifest.background?.service_worker);
  manifest.background?.scripts?.forEach(add);
  for (const script of manifest.content_scripts ?? []) {
    script.js?.forEach(add);
    script.css?.forEach(add);
  }
  const action = manifest.action as
    { default_popup?: string; default_icon?: Record<string, string> | string } | undefined;
  add(action?.default_popup);
  if (typeof action?.default_icon === 'string') add(action.default_icon);
  else Object.values(action?.default_icon ?? {}).forEach(add);
  add((manifest.options_ui as { page?: string } | undefined)?.page);
  Object.values((manifest.icons as Record<string, string> | undefined) ?? {}).forEach(add);
  if (typeof manifest.default_locale === 'string') add(`_locales/${manifest.default_locale}/messages.json`);
  return [...files].sort();
}

/** The __MSG_name__ keys a manifest uses. */
export function messageKeysIn(manifest: Manifest): string[] {
  const keys = new Set<string>();
  for (const match of JSON.stringify(manifest).matchAll(/__MSG_([A-Za-z0-9_@]+)__/g)) keys.add(match[1]!);
  return [...keys].sort();
}

/** The icon sizes a manifest asks for, with their paths. */
export function iconFiles(manifest: Manifest): Array<{ size: number; file: string }> {
  const found = new Map<string, number>();
  const collect = (icons: unknown) => {
    if (typeof icons !== 'object' || icons === null) return;
    for (const [size, file] of Object.entries(icons as Record<string, unknown>)) {
      if (typeof file === 'string' && /^\d+$/.test(size)) found.set(file, Number(size));
    }
  };
  collect(manifest.icons);
  collect((manifest.action as { default_icon?: unknown } | undefined)?.default_icon);
  return [...found].map(([file, size]) => ({ size, file }));
}
