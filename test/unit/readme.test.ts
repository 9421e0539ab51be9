import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REASONS } from '../../native-host/shared/verdicts.js';
import { VERIFY_HELP } from '../../native-host/src/cli/verify-command.js';

// The README is the user's reference: it must not fall behind the code.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(Object.entries(REASONS))('explains reason %s under its verdict', (reason, { verdict }) => {
    expect(readme).toMatch(new RegExp(`\\| ${verdict} \\| \`${reason}\` \\|`));
  });

  it('documents every verify flag', () => {
    const flags = [...VERIFY_HELP.matchAll(/^ {2}(--[a-z-]+)/gm)].map((match) => match[1]!);
    expect(flags.length).toBeGreaterThan(10);
    for (const flag of flags) expect(readme).toContain(`\`${flag}`);
  });
});
