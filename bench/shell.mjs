// A shell command inside the bench world, for profiling and one-off measurements:
//   node bench/shell.mjs <scenario id> '<command>'
// e.g. node bench/shell.mjs big 'node --cpu-prof native-host/bin/mxlens.mjs verify --json --allow-private < $ADDRESSES'
// The scenario's addresses are in the file $ADDRESSES, one per line; the fakes are configured as
// for that scenario, and the environment is the bench's (empty HOME, no budgets). The world stops
// when the command exits.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeSandbox, reexecIsolated } from './lib.mjs';
import { buildScenario, SCENARIOS } from './scenarios.mjs';
import { startWorld } from './world.mjs';

const status = reexecIsolated(fileURLToPath(import.meta.url));
if (status !== null) process.exit(status);

const [id, command] = process.argv.slice(2);
const scenario = SCENARIOS.find((s) => s.id === id);
if (!scenario || !command) {
  process.stderr.write(`usage: node bench/shell.mjs <${SCENARIOS.map((s) => s.id).join('|')}> '<command>'\n`);
  process.exit(2);
}
const world = await startWorld(scenario.domains);
const sandbox = makeSandbox();
try {
  const { addresses, server } = buildScenario(scenario);
  world.configure(server);
  const file = path.join(sandbox.dir, `addresses-${id}.txt`);
  writeFileSync(file, `${addresses.join('\n')}\n`);
  const child = spawn('sh', ['-c', command], { stdio: 'inherit', env: { ...sandbox.env, ADDRESSES: file } });
  process.exitCode = (await new Promise((resolve) => child.on('exit', resolve))) ?? 1;
} finally {
  await world.stop();
  sandbox.remove();
}
