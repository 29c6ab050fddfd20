import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mlpPairOnPictures } from '../../electron/contract/pair-advice';

describe('the Models screen on an MLP pair', () => {
  it('suggests a convolutional pair for colour pictures or ones larger than 32 px, not for digits or clothes', () => {
    assert.match(mlpPairOnPictures([32, 32, 3], 'mlp', 'mlp') ?? '', /^Both models are MLPs, .* On colour pictures a convolutional pair learns far more/);
    assert.match(mlpPairOnPictures([48, 48, 1], 'mlp', 'mlp') ?? '', /On 48×48 pictures a convolutional pair/);
    assert.equal(mlpPairOnPictures([28, 28, 1], 'mlp', 'mlp'), null);
    assert.equal(mlpPairOnPictures([32, 32, 1], 'mlp', 'mlp'), null);
    // A convolutional model on either side is already the choice it would suggest.
    assert.equal(mlpPairOnPictures([32, 32, 3], 'resnet', 'mlp'), null);
    assert.equal(mlpPairOnPictures([32, 32, 3], 'mlp', 'lenet5'), null);
  });
});
