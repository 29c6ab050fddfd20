import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planSplits } from '../../electron/engine/backend/kernels/webgpu-filter-grad';

// The WebGPU kernel itself is checked against the cpu backend in tests/gpu/webgpu.test.ts.
describe('split-K plan for the WebGPU filter gradient', () => {
  it('covers every output pixel once, in 16-row steps, with tiles sized to the layer', () => {
    for (const [rows, columns, outChannels] of [[36864, 25, 6], [262144, 27, 64], [4096, 4608, 512], [100, 9, 3], [1, 1, 1], [262144, 576, 64]] as const) {
      const { tileM, tileN, splits, chunk } = planSplits(rows, columns, outChannels);
      assert.equal(chunk % 16, 0);
      assert.ok(splits * chunk >= rows && (splits - 1) * chunk < rows, `${rows} rows in ${splits} × ${chunk}`);
      assert.ok([16, 32, 64].includes(tileM) && [16, 32, 64].includes(tileN));
      assert.ok(tileM >= Math.min(64, columns) && tileN >= Math.min(64, outChannels), 'a tile spans the layer when it fits');
      if (rows >= 256 * 64) assert.ok(splits > 1, `a long reduction (${rows}) is split`);
    }
    assert.deepEqual(planSplits(36864, 25, 6), { tileM: 32, tileN: 16, splits: 144, chunk: 256 });
  });
});
