#!/usr/bin/env node
// `npm run package`: what people install, in dist/packages/:
//   mxlens-chrome-<version>.zip   the Chrome Web Store upload (no "key": stores assign the ID)
//   mxlens-firefox-<version>.xpi  linted clean and built by web-ext: the upload for addons.mozilla.org
//                                 (or `web-ext sign`), and, unsigned, what Firefox Developer
//                                 Edition and Nightly install with xpinstall.signatures.required off
//   mxlens-<version>.tgz          the host and CLI as an npm package with its LICENSE:
//                                 `npm install --global ./mxlens-<version>.tgz && mxlens install`
// Every version comes from package.json.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/packages');
const { version, description, license, engines, dependencies } = JSON.parse(
  readFileSync(path.join(root, 'package.json'), 'utf8'),
);
// What `mxlens serve` and `mxlens worker` load at run time (everything else is in the bundle).
// Optional: npx mxlens must work where they cannot be installed (offline, or no C++ toolchain
// for better-sqlite3).
const SERVER_MODULES = JSON.parse(readFileSync(path.join(root, 'native-host/server-modules.json'), 'utf8'));

run('npm', ['run', 'build'], root);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

packageChrome();
packageFirefox();
packageHost();
console.log(
  `\nPackages of MX Lens ${version} are in ${path.relative(root, out)}/: ${readdirSync(out)
    .filter((f) => f !== 'staging')
    .join(', ')}`,
);
rmSync(path.join(out, 'staging'), { recursive: true, force: true });

function packageChrome() {
  const staging = path.join(out, 'staging/chrome');
  cpSync(path.join(root, 'dist/chrome'), staging, { recursive: true, filter: (file) => !file.endsWith('.map') });
  const manifestFile = path.join(staging, 'manifest.json');
  const { key, ...manifest } = JSON.parse(readFileSync(manifestFile, 'utf8'));
  if (!key) throw new Error('dist/chrome/manifest.json has no key: is it the development build?');
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  // -X: no extra file attributes; sorted names: the same input gives the same archive layout.
  run('zip', ['-X', '-q', path.join(out, `mxlens-chrome-${version}.zip`), ...filesUnder(staging)], staging);
}

function packageFirefox() {
  const source = path.join(root, 'dist/firefox');
  const lint = spawnSync(
    'npx',
    ['web-ext', 'lint', '--source-dir', source, '--output', 'json', '--no-config-discovery'],
    { cwd: root, encoding: 'utf8' },
  );
  const report = JSON.parse(lint.stdout);
  const problems = [...report.errors, ...report.warnings, ...report.notices];
  if (lint.status !== 0 || problems.length > 0) {
    for (const problem of problems)
      console.error(`web-ext lint: ${problem.code} ${problem.file ?? ''}: ${problem.message}`);
    throw new Error('web-ext lint is not clean');
  }
  run(
    'npx',
    [
      'web-ext',
      'build',
      '--source-dir',
      source,
      '--artifacts-dir',
      out,
      '--filename',
      `mxlens-firefox-${version}.xpi`,
      '--overwrite-dest',
      '--ignore-files',
      '**/*.map',
      '--no-config-discovery',
    ],
    root,
  );
}

/** The same layout as the repository, so native-host/bin/mxlens.mjs finds the bundle unchanged. */
function packageHost() {
  const staging = path.join(out, 'staging/host');
  cpSync(path.join(root, 'native-host/bin/mxlens.mjs'), path.join(staging, 'native-host/bin/mxlens.mjs'));
  cpSync(path.join(root, 'dist/host'), path.join(staging, 'dist/host'), { recursive: true });
  for (const doc of ['README.md', 'PROTOCOL.md', 'LICENSE']) cpSync(path.join(root, doc), path.join(staging, doc));
  const manifest = {
    name: 'mxlens',
    version,
    description,
    license,
    type: 'module',
    bin: { mxlens: 'native-host/bin/mxlens.mjs' },
    engines,
    optionalDependencies: Object.fromEntries(SERVER_MODULES.map((name) => [name, dependencies[name]])),
    files: ['native-host/bin/mxlens.mjs', 'dist/host/', 'PROTOCOL.md'],
  };
  writeFileSync(path.join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  run('npm', ['pack', '--silent', '--pack-destination', out], staging);
}

function filesUnder(dir, prefix = '') {
  return readdirSync(path.join(dir, prefix))
    .sort()
    .flatMap((name) => {
      const relative = path.join(prefix, name);
      return statSync(path.join(dir, relative)).isDirectory() ? filesUnder(dir, relative) : [relative];
    });
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    console.error(`npm run package: \`${[command, ...args].join(' ')}\` failed`);
    process.exit(result.status ?? 1);
  }
}
