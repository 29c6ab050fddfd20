import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli';

const STEPS_SCRIPT = fileURLToPath(new URL('../helpers/wasm-steps.ts', import.meta.url));

/** Each thread count in its own process: a process's wasm build is fixed at its first use. */
function stepsWith(threads: number): Promise<{ threads: number; results: Record<string, number[][]> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', STEPS_SCRIPT, '--threads', String(threads)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`wasm-steps --threads ${threads} exited ${code}: ${stderr}`))));
  });
}

describe('wasm on several threads (tfjs-wasm\'s threaded SIMD build, loaded under Node)', () => {
  it('gives the same training steps as one thread, bit for bit: losses and weights of an MLP, LeNet-5, VGG-11 and ResNet-20', async () => {
    const [one, two] = await Promise.all([stepsWith(1), stepsWith(2)]);
    assert.equal(one.threads, 1);
    assert.equal(two.threads, 2, 'XNNPACK got two threads');
    for (const [model, reference] of Object.entries(one.results)) {
      const threaded = two.results[model]!;
      reference.forEach((values, part) => {
        const label = `${model} ${['losses', 'first kernel after two steps', 'sums over that kernel'][part]}`;
        assert.equal(threaded[part]!.length, values.length, label);
        // XNNPACK splits the output among threads, each element summed in the same order: bit for bit.
        const worst = values.reduce((most, v, i) => Math.max(most, Math.abs(v - threaded[part]![i]!)), 0);
        assert.equal(worst, 0, `${label}: differs by up to ${worst}`);
      });
      assert.ok(reference[0]!.every(Number.isFinite) && reference[0]![0] !== reference[0]![1], `${model}: the two steps trained`);
    }
  });

  it('auto computes on every core when it picks wasm, and the CLI says how many', async () => {
    const { code, stdout, stderr } = await runCli(['bench', '--backend', 'auto', '--model', 'mlp-30x2', '--steps', '1', '--batch-size', '8']);
    assert.equal(code, 0, stderr);
    const [header, line] = stdout.trim().split('\n');
    if (!header!.startsWith('backend wasm')) {
      process.stdout.write(`# auto picked another backend here (${header}); the thread count applies to wasm only\n`);
      assert.match(header!, /^backend (tensorflow|webgpu) /);
      return;
    }
    const cores = Math.min(os.availableParallelism(), 8);
    assert.match(header!, new RegExp(`, ${cores} threads? \\(auto`), header);
    assert.match(line!, /mlp-30x2 .* img\/s/);
  });

  it('refuses a thread count outside the catalogue\'s range with one line', async () => {
    const { code, stderr } = await runCli(['bench', '--backend', 'wasm', '--threads', '0']);
    assert.equal(code, 2);
    assert.match(stderr, /--threads: expected 1 to 8, got 0/);
  });
});
