#!/usr/bin/env node
// The `mxlens` command: runs the bundled host (one file, so start-up does not walk node_modules).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../../dist/host/mxlens.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(`mxlens: not built yet: run "npm run build" (missing ${fileURLToPath(bundle)})\n`);
  process.exit(1);
}
await import(bundle.href);
