// Runs a shell command inside the bench world (for profiling): `node bench/shell.mjs <scenario> '<command>'`.
// The scenario's addresses are in $ADDRESSES (a file, one per line); the world stays up until the command exits.
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildScenario, SCENARIOS } from './scenarios.mjs';
import { startWorld } from './world.mjs';
import { makeSandbox } from './lib.mjs';

const [id, command] = process.argv.slice(2);
if (!process.env.INSIDE) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sh-resolv-'));
  writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  const script = 'ip link set lo up && mount --bind "$1" /etc/resolv.conf && shift && exec "$@"';
  const run = spawnSync('unshare', ['-n', '-m', 'sh', '-c', script, 'sh', path.join(dir, 'resolv.conf'), process.execPath, fileURLToPath(import.meta.url), id, command], { stdio: 'inherit', env: { ...process.env, INSIDE: '1' } });
  process.exit(run.status ?? 1);
}
const scenario = SCENARIOS.find((s) => s.id === id);
const world = await startWorld(scenario.domains);
const { addresses, server } = buildScenario(scenario);
world.configure(server);
const file = path.join(os.tmpdir(), `sh-addresses-${id}.txt`);
writeFileSync(file, `${addresses.join('\n')}\n`);
const sandbox = makeSandbox();
const child = spawn('sh', ['-c', command], { stdio: 'inherit', env: { ...sandbox.env, ADDRESSES: file } });
const code = await new Promise((r) => child.on('exit', r));
await world.stop();
sandbox.remove();
process.exit(code ?? 1);
