#!/usr/bin/env node
// `npm start`: build, register the native host for the browsers found, check the setup with
// `mxlens doctor`, then open Chromium with MX Lens loaded (in a profile of its own) on a demo
// page. Where no window can be opened, print how to load the extension by hand.
//   --no-browser     build, register and check only
//   --browser PATH   the Chromium-family browser to open (default: the first one found)
// As root, Chromium refuses to start without --no-sandbox: it is added, with a warning. When the
// browser exits early or with an error, its last lines of stderr are shown and npm start fails.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mxlens = path.join(root, 'native-host/bin/mxlens.mjs');

// Google Chrome and Edge release builds ignore --load-extension since version 137; Chromium
// and Brave still honour it.
const BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/brave-browser',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Brave Browser.app/Contents/MacOS/Brave Browser',
];

/** A browser closed this soon after starting did not run for the user: something is wrong. */
const EARLY_EXIT_MS = 10_000;

const { values } = parseArgs({ options: { 'no-browser': { type: 'boolean' }, browser: { type: 'string' } } });

run('npm', ['run', 'build']);
run(process.execPath, [mxlens, 'install']);
spawnSync(process.execPath, [mxlens, 'doctor'], { stdio: 'inherit' }); // advice only: its verdict does not stop us

const browser = values.browser ?? BROWSERS.find((candidate) => existsSync(candidate));
const canShowWindow = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
if (values['no-browser'] || !browser || !canShowWindow) {
  printManualSteps(browser ? 'no display to open a window on' : 'no Chromium or Brave found');
} else {
  await openDemo(browser);
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    console.error(`npm start: \`${[command, ...args].join(' ')}\` failed`);
    process.exit(result.status ?? 1);
  }
}

function printManualSteps(why) {
  console.log(`
MX Lens is built and its host is registered (${why}, so load the extension by hand):
  Chrome, Chromium, Edge, Brave, Vivaldi: open chrome://extensions, turn on Developer mode,
    "Load unpacked", choose ${path.join(root, 'dist/chrome')}
  Firefox: open about:debugging#/runtime/this-firefox, "Load Temporary Add-on",
    choose ${path.join(root, 'dist/firefox/manifest.json')}
Then open any page with email addresses. Something wrong? npx mxlens doctor
Check addresses from the command line: npx mxlens verify someone@example.org`);
}

async function openDemo(browserPath) {
  const profile = path.join(process.env.XDG_DATA_HOME || path.join(homedir(), '.local/share'), 'mxlens/demo-profile');
  mkdirSync(profile, { recursive: true });
  run(process.execPath, [mxlens, 'install', '--dir', path.join(profile, 'NativeMessagingHosts')]);
  // Content scripts do not run on file:// pages, so the demo page is served on loopback.
  const page = readFileSync(path.join(root, 'scripts/demo/index.html'));
  const server = createServer((_, response) =>
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page),
  );
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const extension = path.join(root, 'dist/chrome');
  const args = [
    `--user-data-dir=${profile}`,
    `--disable-extensions-except=${extension}`,
    `--load-extension=${extension}`,
    '--no-first-run',
  ];
  if (process.getuid?.() === 0) {
    console.warn(`
WARNING: running as root. Chromium refuses to start as root with its sandbox on, so this demo
adds --no-sandbox: web pages in this browser then run without the sandbox's protection. Use it
for the demo page only, or run npm start as a normal user.`);
    args.push('--no-sandbox');
  }
  console.log(`\nOpening ${browserPath} with MX Lens on ${url} (profile ${profile}). Close the browser to stop.`);
  const child = spawn(browserPath, [...args, url], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = lastLines(child.stderr, 20);
  const started = Date.now();
  child.on('error', (error) => {
    console.error(`npm start: could not start ${browserPath}: ${error.message}`);
    process.exitCode = 1;
    server.close();
  });
  child.on('exit', (code, signal) => {
    server.close();
    const early = Date.now() - started < EARLY_EXIT_MS;
    if (code === 0 && !early) return;
    console.error(
      `\nnpm start: ${browserPath} exited ${signal ? `on ${signal}` : `with code ${code}`}${early ? ` after ${Math.round((Date.now() - started) / 1000)} s` : ''}. Its last lines of stderr:`,
    );
    console.error(
      stderr()
        .map((text) => `  ${text}`)
        .join('\n') || '  (none)',
    );
    process.exitCode = 1;
  });
}

/** Keeps the last `count` lines of a stream (a browser logs a lot; only the end explains an exit). */
function lastLines(stream, count) {
  const kept = [];
  let partial = '';
  stream.setEncoding('utf8').on('data', (text) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    kept.push(...parts);
    kept.splice(0, Math.max(0, kept.length - count));
  });
  return () => [...kept, ...(partial ? [partial] : [])].slice(-count);
}
