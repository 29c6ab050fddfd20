import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { RunResultSchema, type RunEvent } from '../../electron/contract/events';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

const events = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as RunEvent);

describe('ReviewKD in a run', () => {
  let root: string;
  before(async () => {
    root = await tempDir('reviewkd-');
  });

  it('reviews a ResNet teacher into a narrower, shallower student and learns', async () => {
    const { code, stdout, stderr } = await runCli(['run', '--method', 'reviewkd', '--teacher', 'resnet20@0.25', '--student', 'lenet5@0.5', '--teacher-epochs', '1', '--epochs', '2', '--limit-train', '600', '--limit-test', '300', '--no-baseline', '--backend', 'wasm', '--json', '--out', join(root, 'run')], { timeoutMs: 300_000 });
    assert.equal(code, 0, stderr);
    const all = events(stdout);
    const start = all.find((e) => e.type === 'phase' && e.phase === 'student' && e.status === 'start');
    // LeNet-5's two stages lined up with the ResNet's by size (28 ← 28, 10 ← 14, pooled), then the embeddings;
    // the teacher's stage maps read before their last ReLU (its blocks' additions), as mdistiller's.
    assert.match(start && 'detail' in start ? start.detail ?? '' : '', /^review of conv_1 \(28×28×3\) ← s1b3_add \(28×28×4\), conv_2 \(10×10×8\) ← s2b3_add \(14×14×8\), fc_2 \(42\) ← pool \(16\) \(the teacher's stage maps before their ReLU\), through 3 attention-based fusions of 42 channels \(each resized to its teacher map's size\), weight 1, warm-up 1 epoch$/);
    const result = RunResultSchema.parse(all.at(-1));
    assert.ok(result.student!.accuracy > 0.3, `above chance: ${result.student!.accuracy}`);
  });

  it('refuses an MLP student before anything trains, naming the method', async () => {
    const { code, stderr } = await runCli(['run', '--method', 'reviewkd', '--teacher', 'lenet5', '--student', 'mlp-30x2', '--backend', 'cpu', '--out', join(root, 'mlp')]);
    assert.equal(code, 2);
    assert.match(stderr, /reviewkd|ReviewKD/);
    assert.match(stderr, /mlp-30x2/);
  });
});
