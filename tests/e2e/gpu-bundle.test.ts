import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { probeBackends } from '../../electron/engine/backend/select';

const run = promisify(execFile);

describe('the GPU machine bundle (scripts/gpu)', () => {
  it('builds, and trains from a folder with no node_modules above it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-gpu-bundle-'));
    try {
      await run(process.execPath, ['scripts/gpu/build-bundle.js', dir]);
      const env = { ...process.env, DISTILL_RESOURCES: resolve('resources') };
      const { stdout } = await run(process.execPath, [join(dir, 'distill.mjs'), 'bench', '--backend', 'cpu', '--model', 'mlp-30x2', '--batch-size', '16', '--steps', '1', '--json'], { cwd: dir, env });
      const line = JSON.parse(stdout.trim().split('\n').at(-1)!);
      assert.equal(line.model, 'mlp-30x2');
      assert.ok(line.imgPerSec > 0);
      const models = await run(process.execPath, [join(dir, 'distill.mjs'), 'models'], { cwd: dir, env });
      assert.match(models.stdout, /resnet18/);
      // The bundled WebGPU kernel tests, as on-device.sh runs them on the GPU machine.
      const webgpu = (await probeBackends()).webgpu;
      if (!webgpu.ok) console.log(`# the bundled WebGPU kernel tests were not run: ${webgpu.reason}`);
      else {
        // Without NODE_TEST_CONTEXT, which would make the child report to this runner in its binary form.
        const plain: NodeJS.ProcessEnv = { ...env };
        delete plain.NODE_TEST_CONTEXT;
        const tests = await run(process.execPath, ['--test-reporter=tap', join(dir, 'webgpu.test.mjs')], { cwd: dir, env: plain });
        assert.match(tests.stdout, /^# pass [1-9]\d*$/m);
        assert.match(tests.stdout, /^# fail 0$/m);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
