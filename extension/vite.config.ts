import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type Plugin } from 'vite';
import { iconPng } from './build/icons.js';
import { browserManifest, iconFiles, TARGET_BROWSERS, type Manifest } from './build/manifests.js';

// The browser extension, built twice from one tree: dist/chrome and dist/firefox.
//
// 1. This config builds the pages (popup, options, welcome) as ordinary Vite HTML entries.
// 2. Then (closeBundle) the scripts the browser loads by name are built one by one as classic
//    single-file scripts (IIFE): the content script (content scripts cannot be ES modules) and
//    the background (a classic script is what Firefox's event page and Chrome's service worker
//    both accept without "type": "module").
// 3. Icons are drawn, _locales copied, and the top-level manifest.json turned into each
//    browser's manifest (extension/build/manifests.ts), the version taken from package.json.
//
// MXLENS_EXTENSION_OUT=<dir> builds into <dir>/chrome and <dir>/firefox instead of dist/ (tests).

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(repo, 'extension/src');
const outRoot = process.env.MXLENS_EXTENSION_OUT
  ? path.resolve(process.env.MXLENS_EXTENSION_OUT)
  : path.join(repo, 'dist');
const outDir = (browser: string) => path.join(outRoot, browser);
const first = outDir(TARGET_BROWSERS[0]!);

/** Pages built from extension/src/<path> to <path> in the extension. */
export const PAGES = ['popup/popup.html', 'options/options.html', 'welcome/welcome.html'] as const;

/** Classic scripts the manifest names, and their sources. */
export const SCRIPTS = [
  { file: 'content.js', entry: 'content/index.ts', name: 'mxlensContent' },
  { file: 'background.js', entry: 'background/main.ts', name: 'mxlensBackground' },
] as const;

/** Both browsers: MV3 with Chrome 120 (alarms under a minute) and Firefox 128 ESR. */
const TARGET = ['chrome120', 'firefox128'];

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

async function buildScript(script: (typeof SCRIPTS)[number]): Promise<void> {
  await build({
    configFile: false,
    root: repo,
    publicDir: false,
    logLevel: 'warn',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: first,
      emptyOutDir: false,
      target: TARGET,
      minify: false,
      sourcemap: false,
      copyPublicDir: false,
      lib: {
        entry: path.join(src, script.entry),
        formats: ['iife'],
        name: script.name,
        fileName: () => script.file,
        cssFileName: script.file.replace(/\.js$/, ''),
      },
    },
  });
}

function extensionPlugin(): Plugin {
  return {
    name: 'mxlens-extension',
    apply: 'build',
    async closeBundle() {
      for (const script of SCRIPTS) await buildScript(script);

      const source = readJson<Manifest>(path.join(repo, 'manifest.json'));
      const { version } = readJson<{ version: string }>(path.join(repo, 'package.json'));
      if (source.version !== undefined && source.version !== version) {
        this.warn(
          `manifest.json says version ${String(source.version)}, package.json ${version}: the build uses package.json's`,
        );
      }

      for (const { size, file } of iconFiles(source)) {
        mkdirSync(path.dirname(path.join(first, file)), { recursive: true });
        writeFileSync(path.join(first, file), iconPng(size));
      }
      cpSync(path.join(repo, 'extension/_locales'), path.join(first, '_locales'), { recursive: true });

      // A content script that imports CSS gets it listed beside it.
      const contentCss = existsSync(path.join(first, 'content.css')) ? ['content.css'] : [];
      for (const browser of TARGET_BROWSERS) {
        const dir = outDir(browser);
        if (dir !== first) {
          rmSync(dir, { recursive: true, force: true });
          cpSync(first, dir, { recursive: true });
        }
        const manifest = browserManifest(source, browser, { version, contentCss });
        writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      }
    },
  };
}

export default defineConfig({
  root: src,
  base: './',
  publicDir: false,
  plugins: [extensionPlugin()],
  build: {
    outDir: first,
    emptyOutDir: true,
    target: TARGET,
    minify: false,
    sourcemap: false,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: Object.fromEntries(PAGES.map((page) => [page.split('/')[0]!, path.join(src, page)])),
    },
  },
});
