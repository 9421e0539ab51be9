import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMxlens } from './cli.js';

// What a start of the command loads: only what the command asked for needs. TLS is for
// STARTTLS sessions (tested with the mail servers that offer it), so a check that never reaches
// SMTP, and `--version`, must not load it; nor do they load what only other commands use. The module list is Node's own record of the
// built-in modules it loaded, written when the process exits.

const dir = mkdtempSync(path.join(tmpdir(), 'mxlens-startup-'));
const preload = path.join(dir, 'loaded-modules.mjs');
writeFileSync(
  preload,
  "process.on('exit', () => process.stderr.write(`LOADED ${JSON.stringify(process.moduleLoadList)}\\n`));\n",
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function builtinsLoadedBy(args: string[]): Promise<string[]> {
  const run = await runMxlens(args, { env: { NODE_OPTIONS: `--import ${JSON.stringify(preload)}` } });
  expect(run.code).toBe(0);
  const line = run.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  expect(line).toBeDefined();
  return (JSON.parse(line!.slice('LOADED '.length)) as string[]).map((entry) => entry.replace(/^NativeModule /, ''));
}

describe('start-up loads what the command needs', () => {
  it('a syntax-level verify loads no TLS', async () => {
    const loaded = await builtinsLoadedBy(['verify', '--json', '--level', 'syntax', 'someone@example.com']);
    expect(loaded).toContain('dns/promises'); // the list is real: the engine's own imports are in it
    expect(loaded).not.toContain('tls');
    expect(loaded).not.toContain('_tls_wrap');
    // The doctor's and the installer's needs; the catch-all probe's random name loads crypto when first drawn.
    expect(loaded).not.toContain('child_process');
    expect(loaded).not.toContain('crypto');
  });

  it('mxlens --version loads no TLS', async () => {
    const loaded = await builtinsLoadedBy(['--version']);
    expect(loaded).not.toContain('tls');
  });
});

describe('the built host', () => {
  it("has no chunk that imports the entry (it would wait forever on the entry's top-level await)", () => {
    const chunks = new URL('../../dist/host/chunks/', import.meta.url);
    const files = readdirSync(chunks).filter((name) => name.endsWith('.mjs'));
    expect(files.length).toBeGreaterThan(1);
    for (const name of files) {
      expect(readFileSync(new URL(name, chunks), 'utf8'), name).not.toMatch(
        /^\s*(?:import|export)\b[^;]*["']\.\.\/mxlens\.mjs["']/m,
      );
    }
  });
});
