// The browsers MX Lens supports, by id. The host's install table (native-host/src/install/
// browsers.ts: manifest folders, registry keys, how to detect each one) is keyed by these ids;
// the extension names the browser it runs in with the same ones.

export type BrowserId = 'chrome' | 'chromium' | 'edge' | 'brave' | 'vivaldi' | 'firefox';
/** Chromium-family browsers share the manifest format and the extension id scheme. */
export type BrowserFamily = 'chromium' | 'firefox';
