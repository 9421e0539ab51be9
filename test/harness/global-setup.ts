// The integration project's global setup (vitest.config.ts): what every integration and browser
// file shares, made once per run instead of once per file. It runs in vitest's main process,
// inside the loopback-only namespace of test/run-all.mjs, and hands the test files where things
// are through provide/inject. A part that fails to start is handed on as its problem, so only the
// files that need it fail, each with the reason.

import type { TestProject } from 'vitest/node';
import { startWorldDaemons } from '../world/index.js';
import { buildExtension } from './extension.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const extension = await attempt(async () => buildExtension());
  project.provide('extensionBuild', extension.ok ? { ok: true, dir: extension.value.dir } : extension);
  const world = await attempt(() => startWorldDaemons());
  project.provide('testWorld', world.ok ? { ok: true, place: world.value.place } : world);
  return async () => {
    if (world.ok) await world.value.stop();
    if (extension.ok) extension.value.cleanup();
  };
}

async function attempt<T>(start: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; problem: string }> {
  try {
    return { ok: true, value: await start() };
  } catch (err) {
    return { ok: false, problem: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}
