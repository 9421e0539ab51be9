// The SMTP scenarios (scenarios.mjs) run against the latency world (world.mjs): MX Lens
// (installed command and host) and the npm peers on the same addresses, the same fakes, in the
// same run. For every run: wall time, accuracy against the fakes' truth, connections, the most
// sessions one MX had at once, RCPTs, CPU and peak RSS.

import { SCENARIOS, buildScenario, score } from './scenarios.mjs';
import { PEERS, peersInstalled, runMxlensCli, runMxlensHost, runPeer } from './tools.mjs';
import { summarize } from './lib.mjs';

function toolsFor(scenario, withPeers) {
  const tools = [
    { name: 'mxlens verify (installed command)', kind: 'mxlens-cli', run: (env, a) => runMxlensCli(env, a) },
    { name: 'mxlens host (spawn → done)', kind: 'mxlens-host', run: (env, a) => runMxlensHost(env, a) },
  ];
  if (withPeers) {
    for (const mode of scenario.peers) {
      for (const peer of PEERS)
        tools.push({
          name: `${peer} (${mode})`,
          kind: 'peer',
          peer,
          mode,
          run: (env, a) => runPeer(env, peer, mode, a),
        });
    }
  }
  return tools;
}

async function measure(world, built, tool, env, log) {
  world.configure(built.server);
  const run = await tool.run(env, built.addresses);
  await world.quiet();
  const stats = world.stats();
  const scored = score(run.answers, built.truth);
  log(
    `  ${tool.name}: ${run.ms.toFixed(0)} ms, ${(scored.accuracy * 100).toFixed(1)}% right, ${stats.connections} connections, max ${stats.maxPerMx}/MX`,
  );
  return { ...run, answers: undefined, ...scored, stats };
}

/** Runs every scenario; a tool that fails is recorded with its error and the rest go on. */
export async function smtpScenarios(world, env, { log = () => {}, only } = {}) {
  const withPeers = peersInstalled();
  const out = [];
  for (const scenario of SCENARIOS) {
    if (only && !only.includes(scenario.id)) continue;
    const built = buildScenario(scenario);
    log(
      `scenario ${scenario.id}: ${scenario.title} (${built.addresses.length} addresses, ${built.server.delayMs} ms per reply)`,
    );
    // Rounds: every tool once per round, so a change in the machine's load hits all tools alike.
    const tools = toolsFor(scenario, withPeers).map((tool) => ({ tool, runs: [], error: null }));
    for (let round = 0; round < scenario.repeat; round++) {
      for (const entry of tools) {
        if (entry.error) continue;
        try {
          entry.runs.push(await measure(world, built, entry.tool, env, log));
        } catch (e) {
          entry.error = String(e?.message ?? e).split('\n')[0];
          log(`  ${entry.tool.name}: FAILED ${entry.error}`);
        }
      }
    }
    out.push({
      scenario,
      addresses: built.addresses.length,
      delayMs: built.server.delayMs,
      tools: tools.map(({ tool, runs, error }) => ({
        name: tool.name,
        kind: tool.kind,
        peer: tool.peer,
        mode: tool.mode,
        runs,
        error,
        median: medianRun(runs),
      })),
    });
  }
  return { scenarios: out, peersInstalled: withPeers };
}

/** The run whose wall time is the median (for an even count, the faster of the middle two). */
function medianRun(runs) {
  if (runs.length === 0) return null;
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return { ...median, times: runs.map((r) => r.ms), spread: summarize(runs.map((r) => r.ms)) };
}
