import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { RunResultSchema, type RunEvent } from '../../electron/contract/events';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

const events = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as RunEvent);

describe('OFD in a run', () => {
  let root: string;
  before(async () => {
    root = await tempDir('ofd-');
  });

  it("teaches a LeNet-5 student the ResNet teacher's maps before their ReLU, and learns", async () => {
    const { code, stdout, stderr } = await runCli(['run', '--method', 'ofd', '--teacher', 'resnet20@0.25', '--student', 'lenet5@0.5', '--teacher-epochs', '1', '--epochs', '2', '--limit-train', '600', '--limit-test', '300', '--no-baseline', '--backend', 'wasm', '--json', '--out', join(root, 'run')], { timeoutMs: 300_000 });
    assert.equal(code, 0, stderr);
    const all = events(stdout);
    const start = all.find((e) => e.type === 'phase' && e.phase === 'student' && e.status === 'start');
    // LeNet-5's two stages lined up with the ResNet's by size, the teacher's read at its blocks' additions.
    assert.match(start && 'detail' in start ? start.detail ?? '' : '', /^partial L2 between conv_1 \(28×28×3\) ← s1b3_add \(28×28×4\), conv_2 \(10×10×8\) ← s2b3_add \(14×14×8\) \(compared pooled to 10×10\) \(the teacher's maps before their ReLU, clipped at their margins\), through 1×1 connectors, weight 0\.001, warm-up 1 epoch$/);
    const result = RunResultSchema.parse(all.at(-1));
    assert.ok(result.student!.accuracy > 0.3, `above chance: ${result.student!.accuracy}`);
  });

  it('refuses a teacher whose stages end without batch norm and ReLU layers, before anything trains or a folder is made', async () => {
    const out = join(root, 'lenet');
    const { code, stderr } = await runCli(['run', '--method', 'ofd', '--teacher', 'lenet5', '--student', 'lenet5@0.5', '--backend', 'cpu', '--out', out]);
    assert.equal(code, 2);
    assert.equal(stderr.trim(), "distill: OFD needs the teacher's stage maps before a ReLU that follows a batch norm (ResNet, VGG); lenet5's conv_1 has none: use attention transfer, NST, VID or ReviewKD with it");
    assert.equal(await stat(out).catch(() => null), null);
  });
});
