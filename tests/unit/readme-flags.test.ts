import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { catalogueHelp } from '../../electron/cli/help';
import { COMMAND_USAGE } from '../../electron/cli/main';

// The README is the CLI's manual: a flag the CLI takes and the README never names is undocumented,
// and a flag in the README's usage block that the CLI no longer takes sends a person to an error.

const flagsIn = (text: string) => new Set(text.match(/--[a-z][a-z0-9-]*/g) ?? []);
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The fenced block under "## The `distill` CLI": the usage a person reads first. */
function readmeUsageBlock(): string {
  const section = readme.slice(readme.indexOf('## The `distill` CLI'));
  const block = /```\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the README has a usage block under "## The `distill` CLI"');
  return block[1]!;
}

describe('README and CLI flags', () => {
  const cli = flagsIn([...Object.values(COMMAND_USAGE), catalogueHelp()].join('\n'));

  it('names every flag the CLI takes', () => {
    assert.ok(cli.size > 60, `read ${cli.size} flags from the usages and the catalogue`);
    const documented = flagsIn(readme);
    const missing = [...cli].filter((flag) => !documented.has(flag));
    assert.deepEqual(missing, [], `flags the README never names: ${missing.join(', ')}`);
  });

  it('shows in its usage block only flags the CLI takes', () => {
    const shown = flagsIn(readmeUsageBlock());
    assert.ok(shown.has('--preset') && shown.has('--teacher'), 'the block found is the usage');
    // An on/off setting's --no- form is taken wherever the setting's flag is (run-flags.ts adds it).
    const stale = [...shown].filter((flag) => !cli.has(flag) && !cli.has(flag.replace(/^--no-/, '--')) && flag !== '--help' && flag !== '--version');
    assert.deepEqual(stale, [], `flags in the README's usage that no command takes: ${stale.join(', ')}`);
  });
});
