import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../electron/server/renderer-dir';

const json = async (path: string) => JSON.parse(await readFile(join(projectRoot(), path), 'utf8'));

describe('installer configuration', () => {
  it("flips Electron's fuses as the security checklist asks, with names electron-builder knows", async () => {
    const pkg = await json('package.json');
    const fuses = pkg.build.electronFuses as Record<string, boolean>;
    assert.deepEqual(
      { runAsNode: fuses.runAsNode, cookies: fuses.enableCookieEncryption, asarIntegrity: fuses.enableEmbeddedAsarIntegrityValidation, onlyAsar: fuses.onlyLoadAppFromAsar, nodeOptions: fuses.enableNodeOptionsEnvironmentVariable, inspect: fuses.enableNodeCliInspectArguments, fileProtocol: fuses.grantFileProtocolExtraPrivileges },
      { runAsNode: false, cookies: true, asarIntegrity: true, onlyAsar: true, nodeOptions: false, inspect: false, fileProtocol: false },
    );
    assert.equal(pkg.build.asar, true);
    // A misspelt fuse would be ignored by electron-builder: every key must be one of its schema's.
    const scheme = await json('node_modules/app-builder-lib/scheme.json');
    const known = Object.keys(scheme.definitions.FuseOptionsV1.properties);
    for (const key of Object.keys(fuses)) assert.ok(known.includes(key), `unknown fuse ${key} (known: ${known.join(', ')})`);
  });

  it("keeps install scripts that download binaries denied (they fail offline)", async () => {
    const pkg = await json('package.json');
    assert.equal(pkg.allowScripts.electron, false);
  });
});
