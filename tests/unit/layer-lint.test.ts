import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { projectRoot } from '../../electron/server/renderer-dir';

/** Lints `code` as if it were the file at `path`, with the project's own eslint.config.js. */
async function lint(path: string, code: string) {
  const eslint = new ESLint({ cwd: projectRoot() });
  const [result] = await eslint.lintText(code, { filePath: path });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => ({ severity: m.severity, message: m.message }));
}

const svelte = (imports: string) => `<script lang="ts">\n${imports}\n</script>\n<p>{String(x)}</p>\n`;

describe('layer rules, enforced as errors', () => {
  it('a .svelte screen that imports Node, the engine or a host bridge is rejected', async () => {
    const crossings = [
      "import { readFile as x } from 'node:fs/promises';",
      "import { loadDataset as x } from '../../../electron/engine';",
      "import { createBrowserApi as x } from '../api/browser-bridge';",
    ];
    for (const line of crossings) {
      const found = await lint('renderer/src/screens/Crossing.svelte', svelte(line));
      assert.equal(found.length, 1, `${line}: ${JSON.stringify(found)}`);
      assert.equal(found[0]!.severity, 2, 'an error, not a warning');
    }
    // What a screen may import passes: the contract and the host-neutral api().
    const allowed = await lint('renderer/src/screens/Fine.svelte', svelte("import { METHOD_IDS as x } from '../../../electron/contract/catalogue';\nimport { api } from '../api/bridge';\nvoid api;"));
    assert.deepEqual(allowed, []);
  });

  it("the CLI and the service reach the engine only through its front door", async () => {
    const inner = await lint('electron/cli/commands/crossing.ts', "import { DistillInputError } from '../../engine/errors';\nexport const x = DistillInputError;\n");
    assert.equal(inner.length, 1);
    assert.equal(inner[0]!.severity, 2);
    assert.deepEqual(await lint('electron/cli/commands/fine.ts', "import { DistillInputError } from '../../engine';\nexport const x = DistillInputError;\n"), []);
  });

  it('the engine never imports electron, and the contract never imports the engine', async () => {
    assert.equal((await lint('electron/engine/crossing.ts', "import { app } from 'electron';\nexport const x = app;\n"))[0]?.severity, 2);
    assert.equal((await lint('electron/contract/crossing.ts', "import { PRESETS } from '../engine';\nexport const x = PRESETS;\n"))[0]?.severity, 2);
  });
});
