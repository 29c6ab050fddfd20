import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { _electron } from 'playwright-core';
import { projectRoot } from '../../electron/server/renderer-dir';

/**
 * Where Electron's install script put the binary (node_modules/electron/path.txt names it).
 * Read directly: requiring `electron` would try to download a missing binary.
 */
function electronBinary(): { path: string } | { missing: string } {
  const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathTxt = join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return { missing: "the Electron binary is not installed here: package.json's allowScripts denies its download, which fails offline" };
  const path = join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(path) ? { path } : { missing: `no Electron binary at ${path}` };
}

const binary = electronBinary();
const skip = 'missing' in binary ? binary.missing : !process.env.DISPLAY && process.platform === 'linux' ? 'no display (run under xvfb-run)' : null;
if (skip) console.log(`# Electron smoke test did not run: ${skip}`);

describe('the desktop app (Electron)', { skip: skip ?? false }, () => {
  it('opens a sandboxed window whose renderer reaches the engine through the preload', async () => {
    const root = projectRoot();
    const app = await _electron.launch({ executablePath: (binary as { path: string }).path, args: [root], cwd: root });
    try {
      const page = await app.firstWindow();
      await page.getByTestId('dataset-summary').waitFor({ timeout: 60_000 });
      assert.equal(await page.evaluate(() => (window as unknown as { distill?: { host: string } }).distill?.host), 'electron');
      assert.equal(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require), 'undefined');
      assert.match(await page.getByTestId('dataset-summary').innerText(), /60,000 train/);
      await mkdir(join(root, 'test-output', 'screenshots'), { recursive: true });
      await page.screenshot({ path: join(root, 'test-output', 'screenshots', 'electron-dataset.png') });
    } finally {
      await app.close();
    }
  });
});
