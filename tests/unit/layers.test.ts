import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

/** The layer rule is an error, so a crossing import fails `npm run lint` (and this test). */
describe('layer boundaries', () => {
  const eslint = new ESLint();
  const errorsFor = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: file });
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2).map((m) => m.message);
  };

  it('rejects engine → electron and engine → main', async () => {
    assert.match((await errorsFor('electron/engine/x.ts', "import { app } from 'electron';\nexport const a = app;\n"))[0] ?? '', /engine never imports electron/);
    assert.equal((await errorsFor('electron/engine/x.ts', "import { w } from '../main/window';\nexport const a = w;\n")).length, 1);
  });

  it('rejects renderer → Node and renderer → engine', async () => {
    assert.equal((await errorsFor('renderer/src/x.ts', "import { readFile } from 'node:fs';\nexport const a = readFile;\n")).length, 1);
    assert.equal((await errorsFor('renderer/src/x.ts', "import { loadDataset } from '../../electron/engine/data/load';\nexport const a = loadDataset;\n")).length, 1);
  });

  it('rejects a .svelte screen that imports Node, the engine or a host bridge', async () => {
    const svelte = (imports: string) => `<script lang="ts">\n${imports}\n</script>\n<p>{String(x)}</p>\n`;
    for (const line of [
      "import { readFile as x } from 'node:fs/promises';",
      "import { loadDataset as x } from '../../../electron/engine';",
      "import { createBrowserApi as x } from '../api/browser-bridge';",
    ]) {
      assert.equal((await errorsFor('renderer/src/screens/Crossing.svelte', svelte(line))).length, 1, line);
    }
    // What a screen may import passes: the contract and the host-neutral api().
    const allowed = "import { METHOD_IDS as x } from '../../../electron/contract/catalogue';\nimport { api } from '../api/bridge';\nvoid api;";
    assert.deepEqual(await errorsFor('renderer/src/screens/Fine.svelte', svelte(allowed)), []);
  });

  it('rejects the CLI reaching past the engine front door, and the contract importing the engine', async () => {
    assert.equal((await errorsFor('electron/cli/commands/x.ts', "import { DistillInputError } from '../../engine/errors';\nexport const a = DistillInputError;\n")).length, 1);
    assert.deepEqual(await errorsFor('electron/cli/commands/x.ts', "import { DistillInputError } from '../../engine';\nexport const a = DistillInputError;\n"), []);
    assert.equal((await errorsFor('electron/contract/x.ts', "import { PRESETS } from '../engine';\nexport const a = PRESETS;\n")).length, 1);
  });

  it('lets everyone import the contract', async () => {
    for (const file of ['electron/engine/x.ts', 'renderer/src/x.ts', 'electron/main/x.ts', 'electron/preload/x.ts']) {
      assert.deepEqual(await errorsFor(file, "import { RunConfigSchema } from '../contract/run-config';\nexport const a = RunConfigSchema;\n"), [], file);
    }
  });
});
