import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { defaultAttentionPairs, stageOutputs } from '../../electron/engine/methods/layer-pairing';
import { initFromTeacher } from '../../electron/engine/methods/init-from-teacher';
import { buildModel, modelSize } from '../../electron/engine/models/registry';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

const cifar10 = { inputShape: [32, 32, 3] as [number, number, number], classes: 10, seed: 1, dropout: 0 };

describe('CIFAR convnets', () => {
  it('have the trainable parameter counts of the reference implementations', () => {
    // pytorch-cifar's VGG-11 (BN, conv bias) and ResNet-18/34 on CIFAR-10.
    for (const [name, params] of [['vgg11', 9_231_114], ['resnet18', 11_173_962], ['resnet34', 21_282_122]] as const) {
      const model = buildModel(name, cifar10);
      assert.equal(modelSize(model).params, params, name);
      model.dispose();
    }
  });

  it('build for any input shape and class count, with MACs, and scale with @width', () => {
    for (const name of ['resnet20', 'vgg11', 'mobilenetv2@0.5', 'resnet56@0.25']) {
      const model = buildModel(name, { inputShape: [28, 28, 1], classes: 7, seed: 1, dropout: 0 });
      const y = model.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor;
      assert.deepEqual(y.shape, [2, 7], name);
      assert.ok(modelSize(model).macs > 1e5, name);
      y.dispose();
      model.dispose();
    }
    const full = buildModel('resnet20', cifar10);
    const half = buildModel('resnet20@0.5', cifar10);
    const ratio = modelSize(full).params / modelSize(half).params;
    assert.ok(ratio > 3.5 && ratio < 4.1, `halving the width divides parameters by about 4 (${ratio})`);
  });

  it('name their stages for feature distillation, and pair VGG-19 with VGG-11 stage by stage', () => {
    const vgg19 = buildModel('vgg19', cifar10);
    const vgg11 = buildModel('vgg11', cifar10);
    assert.deepEqual(stageOutputs(vgg11).map((s) => s.name), ['stage_1', 'stage_2', 'stage_3', 'stage_4', 'stage_5']);
    assert.equal(defaultAttentionPairs(vgg11, vgg19).length, 5);
    assert.deepEqual(stageOutputs(buildModel('resnet20', cifar10)).map((s) => s.shape.join('×')), ['32×32×16', '16×16×32', '8×8×64']);
    // Weight init copies VGG-19 stages into VGG-11 where shapes agree, in order.
    const report = initFromTeacher(vgg11, vgg19);
    assert.deepEqual(report.copied.slice(0, 2).map((c) => `${c.student}←${c.teacher}`), ['conv_1←conv_1', 'bn_1←bn_1']);
    assert.ok(report.copied.some((c) => c.student === 'logits'));
  });
});
