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

  it('lets everyone import the contract', async () => {
    for (const file of ['electron/engine/x.ts', 'renderer/src/x.ts', 'electron/main/x.ts', 'electron/preload/x.ts']) {
      assert.deepEqual(await errorsFor(file, "import { RunConfigSchema } from '../contract/run-config';\nexport const a = RunConfigSchema;\n"), [], file);
    }
  });
});
