import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import { sameDataFlags } from '../../electron/cli/commands/sweep';

describe("the full run a sweep suggests", () => {
  it("keeps the sweep's dataset, image size and seed where they are not the defaults", () => {
    assert.equal(sameDataFlags(presetConfig('quick')), '');
    // A teacher trained on Fashion-MNIST must not be run on MNIST, the default dataset.
    assert.equal(sameDataFlags({ ...presetConfig('auto'), dataset: '/data/fashion', seed: 2 }), ' --dataset /data/fashion --seed 2');
    assert.equal(sameDataFlags({ ...presetConfig('quick'), dataset: 'pets', imageSize: 64 }), ' --dataset pets --image-size 64');
    // Pasted into a shell, a path with spaces or quotes stays one word.
    assert.equal(sameDataFlags({ ...presetConfig('quick'), dataset: "/my data/Bob's pets" }), " --dataset '/my data/Bob'\\''s pets'");
  });
});
