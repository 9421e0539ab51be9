// Turns the figures into the Markdown that `npm run bench` prints (and bench/README.md keeps).

import { floorMs } from './scenarios.mjs';

const num = (n) => Math.round(n).toLocaleString('en-US');
const msText = (v) =>
  v === null || v === undefined ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`;
const kbText = (kb) => (kb ? `${(kb / 1024).toFixed(1)} MiB` : '–');
const pct = (x) => `${(x * 100).toFixed(1)}%`;
const table = (header, rows) => [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
const startupRow = (name, t, notes = '') => [
  name,
  t ? `${t.n}` : '–',
  t ? msText1(t.median) : 'FAILED',
  t ? msText1(t.p90) : '–',
  t ? msText1(t.max) : '–',
  notes,
];
const msText1 = (v) => `${v.toFixed(1)} ms`;

export function startupSection({ node, version, host, firstQuery, syntax }) {
  const rows = [
    startupRow(
      '`node -e 0`: spawn → exit (the Node start-up in every floor)',
      node,
      node?.cpuMs != null ? `CPU ${node.cpuMs.toFixed(0)} ms, peak RSS ${kbText(node.peakKb)}` : '',
    ),
    startupRow(
      'CLI start: spawn `mxlens verify` → its first DNS query',
      firstQuery?.mxlens,
      'a UDP listener stands in for the DNS server',
    ),
    startupRow('   reference: bare `node -e` sending one MX query → the query', firstQuery?.bareNode, ''),
    startupRow(
      'host spawn → hello reply',
      host,
      host
        ? `built host ${num(host.bundle.bytes)} bytes in ${host.bundle.files} file${host.bundle.files > 1 ? 's' : ''}`
        : '',
    ),
    startupRow('`mxlens --version`: spawn → exit', version, version ? `prints "${version.output}"` : ''),
    syntax
      ? [
          'syntax verify of 10,000 addresses via the host: verify → done',
          `${syntax.time.n}`,
          msText1(syntax.time.median),
          '–',
          msText1(syntax.time.max),
          `first result after ${msText1(syntax.firstResult.median)}; host peak RSS ${syntax.peakKb.map(kbText).join(' / ')}`,
        ]
      : ['syntax verify of 10,000 addresses via the host', '–', 'FAILED', '–', '–', ''],
  ];
  return table(['start-up and CPU', 'runs', 'median', 'p90', 'max', 'notes'], rows);
}

function toolRow(tool, floor, addresses) {
  const m = tool.median;
  if (!m) return [tool.name, 'FAILED', '–', '–', '–', '–', '–', '–', '–', tool.error ?? ''];
  const times = tool.runs.length > 1 ? ` (runs ${tool.runs.map((r) => msText(r.ms)).join(', ')})` : '';
  const extra =
    tool.kind === 'mxlens-host' ? `; verify → done ${msText(m.verifyMs)}, first result ${msText(m.firstMs)}` : '';
  const accuracy = `${pct(m.accuracy)}${m.wrong || m.unanswered ? ` (${m.wrong} wrong, ${m.unanswered} no answer)` : ''}`;
  return [
    tool.name,
    `${msText(m.ms)}${times}${extra}`,
    `${(m.ms / floor).toFixed(1)}×`,
    accuracy,
    num(m.stats.connections),
    `${m.stats.maxPerMx}`,
    num(m.stats.rcpt),
    m.cpuMs === null ? '–' : `${num(m.cpuMs)} ms (${num((m.cpuMs * 1000) / addresses)} µs/address)`,
    kbText(m.peakKb),
    reasonsNote(m),
  ];
}

function reasonsNote(m) {
  const reasons = m.notes?.reasons;
  const errors = m.notes?.errors;
  const parts = [];
  if (reasons)
    parts.push(
      Object.entries(reasons)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    );
  if (errors && Object.keys(errors).length)
    parts.push(
      `errors: ${Object.entries(errors)
        .map(([k, v]) => `"${k}" ×${v}`)
        .join(', ')}`,
    );
  if (m.stats.starttls) parts.push(`${m.stats.starttls} STARTTLS`);
  if (m.stats.errorLimitHangups) parts.push(`${m.stats.errorLimitHangups} sessions cut by the error limit`);
  return parts.join('; ');
}

/**
 * Speed-up of the installed command over the fastest peer that got every answer right, and
 * the most any tool could have: the floor's speed-up over that peer (when it is under 40×,
 * so is every tool's).
 */
function versusPeers(result, nodeStartMs) {
  const floor = floorMs(result.delayMs, nodeStartMs);
  const cli = result.tools.find((t) => t.kind === 'mxlens-cli')?.median;
  if (!cli) return [];
  const lines = [];
  for (const mode of result.scenario.peers) {
    const peers = result.tools.filter((t) => t.kind === 'peer' && t.mode === mode && t.median);
    const accurate = peers.filter((t) => t.median.accuracy === 1);
    const pool = accurate.length ? accurate : peers;
    if (!pool.length) continue;
    const best = pool.reduce((a, b) => (a.median.ms <= b.median.ms ? a : b));
    lines.push(
      `MX Lens (installed command) vs the fastest ${accurate.length ? '100%-accurate ' : ''}peer driven "${mode}" (${best.name}, ${msText(best.median.ms)}): ${(best.median.ms / cli.ms).toFixed(1)}× ${best.median.ms >= cli.ms ? 'faster' : 'as fast (slower)'}; the floor (${msText(floor)}) is ${(best.median.ms / floor).toFixed(1)}× faster than that peer.`,
    );
  }
  return lines;
}

export function scenarioSection(result, nodeStartMs) {
  const { scenario, addresses, delayMs } = result;
  const floor = floorMs(delayMs, nodeStartMs);
  const server = [
    `${delayMs} ms per reply`,
    scenario.pipelining === false ? 'no PIPELINING' : 'PIPELINING',
    scenario.starttls ? 'STARTTLS' : 'no STARTTLS',
    scenario.strict ? 'strict: 421 and hang-up after 20 errors' : 'tolerant',
  ].join(', ');
  const out = [];
  out.push(
    `### ${scenario.title}: ${num(addresses)} addresses, ${scenario.domains} domain${scenario.domains > 1 ? 's' : ''} (${server})`,
  );
  out.push('');
  out.push(
    `Floor: 3 × ${delayMs} ms + \`node -e 0\` ${msText(nodeStartMs)} = **${msText(floor)}**.${scenario.repeat > 1 ? ` Every tool ran ${scenario.repeat} times; the median run is shown.` : ''}`,
  );
  out.push('');
  out.push(
    ...table(
      [
        'tool',
        'wall time',
        '× floor',
        'accuracy',
        'connections',
        'max sessions per MX',
        'RCPTs',
        'CPU (user+sys)',
        'peak RSS',
        'answers / notes',
      ],
      result.tools.map((t) => toolRow(t, floor, addresses)),
    ),
  );
  const versus = versusPeers(result, nodeStartMs);
  if (versus.length) out.push('', ...versus);
  return out;
}

/** The figures issue 12 sets goals for, gathered from the sections above. */
export function goalsSection({ smtp, firstQuery, host, nodeStartMs, nodeCpuMs, browser }) {
  const find = (id) => smtp?.scenarios.find((s) => s.scenario.id === id);
  const cli = (id) => find(id)?.tools.find((t) => t.kind === 'mxlens-cli')?.median;
  const hostRun = (id) => find(id)?.tools.find((t) => t.kind === 'mxlens-host')?.median;
  const rows = [];
  const floorRatio = (id, goal) => {
    const r = cli(id);
    const s = find(id);
    if (r && s)
      rows.push([
        `${s.scenario.title}: installed command vs floor`,
        `${(r.ms / floorMs(s.delayMs, nodeStartMs)).toFixed(1)}× (${msText(r.ms)}; ${pct(r.accuracy)} right; max ${r.stats.maxPerMx} per MX)`,
        goal,
      ]);
  };
  floorRatio('headline', '≤ 2× floor, 100% right, ≤ 2 sessions per MX');
  const headline = find('headline');
  if (headline)
    for (const line of versusPeers(headline, nodeStartMs))
      rows.push([
        'headline vs peers',
        line.replace(/^MX Lens \(installed command\) vs /, ''),
        '≥ 40× faster than the best peer',
      ]);
  floorRatio('one-domain', '≤ 3× floor');
  floorRatio('wide', '≤ 3× floor');
  floorRatio('big', '≤ 3× floor');
  const strict = cli('strict');
  if (strict)
    rows.push([
      'strict server: accuracy',
      `${pct(strict.accuracy)} (${strict.wrong} wrong, ${strict.unanswered} no answer)`,
      '100%',
    ]);
  if (firstQuery) rows.push(['CLI start: spawn → first DNS query', msText1(firstQuery.mxlens.median), '≤ 100 ms']);
  if (host) rows.push(['host spawn → hello', msText1(host.median), '≤ 80 ms']);
  const big = cli('big');
  const bigHost = hostRun('big');
  const perAddress = (cpuMs) => {
    const all = (cpuMs * 1000) / 10_000;
    return nodeCpuMs == null
      ? `${all.toFixed(1)} µs`
      : `${all.toFixed(1)} µs (${(((cpuMs - nodeCpuMs) * 1000) / 10_000).toFixed(1)} µs less \`node -e 0\`'s ${nodeCpuMs.toFixed(0)} ms)`;
  };
  if (big?.cpuMs != null)
    rows.push(['CPU per address at 10,000 (installed command, start-up included)', perAddress(big.cpuMs), '≤ 20 µs']);
  if (bigHost?.cpuMs != null)
    rows.push(['CPU per address at 10,000 (host, start-up included)', perAddress(bigHost.cpuMs), '≤ 20 µs']);
  if (big?.peakKb) rows.push(['peak RSS at 10,000 (installed command)', kbText(big.peakKb), '≤ 80 MiB']);
  if (bigHost?.peakKb) rows.push(['peak RSS at 10,000 (host)', kbText(bigHost.peakKb), '≤ 80 MiB']);
  if (browser) {
    rows.push([
      'browser: `load` → first verdict (12 addresses, warm host)',
      `${browser.firstVerdict.median.toFixed(0)} ms`,
      '≤ 150 ms',
    ]);
    for (const [name, label] of [
      ['p5k', '5,000'],
      ['p50k', '50,000'],
    ]) {
      if (!browser.big[name]) continue; // MXLENS_BENCH_BROWSER_PAGES left it out
      const { mxlens, plain } = browser.big[name];
      rows.push([
        `browser: ${label}-address page, longest main-thread task`,
        `${mxlens.traced.longestMs.toFixed(0)} ms (${mxlens.traced.longCount} over 50 ms; without MX Lens ${plain.traced.longCount})`,
        'none over 50 ms',
      ]);
      rows.push([
        `browser: ${label}-address page, longest task that ran MX Lens's script`,
        `${mxlens.traced.extensionLongestMs.toFixed(0)} ms (${mxlens.traced.extensionLongCount} over 50 ms; ${mxlens.traced.extensionLongCpuCount} over 50 ms of thread time)`,
        'none over 50 ms',
      ]);
      rows.push([
        `browser: ${label}-address page, renderer busy vs without MX Lens`,
        `${(mxlens.traced.busyMs / plain.traced.busyMs).toFixed(2)}× (median of ${browser.big[name].ratios.length} rounds); CPU time ${browser.big[name].cpuRatio.toFixed(2)}×`,
        '≤ 1.5×',
      ]);
    }
  }
  return table(['issue 12 goal', 'measured', 'goal'], rows);
}

const ratios = (values) => values.map((r) => `${r.toFixed(2)}×`).join(', ');

export function browserSection(b) {
  const ms0 = (v) => `${v.toFixed(0)} ms`;
  const rows = [
    [
      'first verdict, 12-address page, warm host: `load` → first final badge',
      `median ${ms0(b.firstVerdict.median)} (runs ${b.samples.map(ms0).join(', ')}; the warm-up page: ${ms0(b.warmFirstMs)})`,
      '–',
      '≤ 150 ms',
    ],
  ];
  for (const [name, label] of [
    ['p5k', '5,000'],
    ['p50k', '50,000'],
  ]) {
    if (!b.big[name]) continue;
    const { mxlens, plain } = b.big[name];
    const tasks = (r) =>
      `${r.traced.longCount} (longest ${ms0(r.traced.longestMs)}, together ${ms0(r.traced.longTotalMs)})`;
    rows.push([
      `${label}-address page: main-thread tasks over 50 ms (trace)`,
      tasks(mxlens),
      tasks(plain),
      'none over 50 ms',
    ]);
    rows.push([
      `${label}-address page: of those, tasks that ran MX Lens's content script`,
      `${mxlens.traced.extensionLongCount} (longest ${ms0(mxlens.traced.extensionLongestMs)}); over 50 ms of the thread's own time: ${mxlens.traced.extensionLongCpuCount}`,
      '–',
      'none over 50 ms',
    ]);
    rows.push([
      `${label}-address page: long tasks a page PerformanceObserver saw`,
      `${mxlens.count} (longest ${ms0(mxlens.longestMs)})`,
      `${plain.count} (longest ${ms0(plain.longestMs)})`,
      '',
    ]);
    rows.push([
      `${label}-address page: renderer main-thread busy time (trace), load → quiet`,
      `${ms0(mxlens.traced.busyMs)} (${(mxlens.traced.busyMs / plain.traced.busyMs).toFixed(2)}× without; the median of ${ratios(b.big[name].ratios)})`,
      ms0(plain.traced.busyMs),
      '≤ 1.5× without',
    ]);
    rows.push([
      `${label}-address page: renderer main thread's CPU time (trace, thread clock), load → quiet`,
      `${ms0(b.big[name].cpuRound.mxlens.traced.busyCpuMs)} (${b.big[name].cpuRatio.toFixed(2)}× without: the median of ${ratios(b.big[name].cpuRatios)})`,
      ms0(b.big[name].cpuRound.plain.traced.busyCpuMs),
      '≤ 1.5× without',
    ]);
    rows.push([
      `${label}-address page: quiet (no main-thread work for 2 s) after`,
      `${ms0(mxlens.settledAfterMs)}${mxlens.timedOut ? ' (gave up at 60 s)' : ''}`,
      ms0(plain.settledAfterMs),
      '',
    ]);
  }
  return [
    '| browser (Chromium, headless) | with MX Lens | without extensions | goal |',
    '| --- | --- | --- | --- |',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ];
}
