import { MODEL_FAMILY_CATALOGUE } from '../../contract/catalogue';
import * as tf from '@tensorflow/tfjs';
import { LayerFactory, parseWidth, scaled } from './blocks';
import type { ModelFamily } from './model-spec';

interface ResNetSpec {
  name: string;
  /** Channels of the stem and of each stage; blocks per stage. */
  stem: number;
  stages: Array<{ channels: number; blocks: number; stride: number }>;
  width: number;
}

/** He et al.'s ResNets in their CIFAR forms: 3×3 stem, no initial max-pool, basic blocks. */
const SPECS: Record<string, Omit<ResNetSpec, 'name' | 'width'>> = {
  // ImageNet-width ResNets adapted to 32×32 (pytorch-cifar): 4 stages of 64–512 channels.
  resnet18: { stem: 64, stages: [2, 2, 2, 2].map((blocks, i) => ({ channels: 64 << i, blocks, stride: i === 0 ? 1 : 2 })) },
  resnet34: { stem: 64, stages: [3, 4, 6, 3].map((blocks, i) => ({ channels: 64 << i, blocks, stride: i === 0 ? 1 : 2 })) },
  // The CIFAR ResNets of He et al. §4.2: 3 stages of 16–64 channels, n = (depth − 2) / 6 blocks each.
  resnet20: { stem: 16, stages: [0, 1, 2].map((i) => ({ channels: 16 << i, blocks: 3, stride: i === 0 ? 1 : 2 })) },
  resnet56: { stem: 16, stages: [0, 1, 2].map((i) => ({ channels: 16 << i, blocks: 9, stride: i === 0 ? 1 : 2 })) },
};

/**
 * Basic blocks, 1×1-conv + BN projection shortcuts where the shape changes (option B).
 * Each stage's last block output is named `stage_<n>` for feature distillation.
 */
export const resnetFamily: ModelFamily = {
  id: 'resnet',
  ...MODEL_FAMILY_CATALOGUE.resnet,
  parse(name) {
    const parsed = parseWidth(name);
    if (!parsed || !SPECS[parsed.base]) return null;
    return { ...SPECS[parsed.base]!, name, width: parsed.width } satisfies ResNetSpec;
  },
  build(spec, options) {
    const { stem, stages, width, name } = spec as ResNetSpec;
    const f = new LayerFactory(options.seed);
    const input = tf.input({ shape: options.inputShape });
    let x = f.relu(f.bn(f.conv(input, scaled(stem, width), 3, 1, 'stem_conv'), 'stem_bn'), 'stem_relu');
    let channels = scaled(stem, width);
    stages.forEach((stage, s) => {
      for (let b = 0; b < stage.blocks; b++) {
        const out = scaled(stage.channels, width);
        const stride = b === 0 ? stage.stride : 1;
        const id = `s${s + 1}b${b + 1}`;
        let y = f.relu(f.bn(f.conv(x, out, 3, stride, `${id}_conv1`), `${id}_bn1`), `${id}_relu1`);
        y = f.bn(f.conv(y, out, 3, 1, `${id}_conv2`), `${id}_bn2`);
        const shortcut = stride !== 1 || channels !== out ? f.bn(f.conv(x, out, 1, stride, `${id}_shortcut`), `${id}_shortcut_bn`) : x;
        const sum = tf.layers.add({ name: `${id}_add` }).apply([y, shortcut]) as tf.SymbolicTensor;
        x = f.relu(sum, b === stage.blocks - 1 ? `stage_${s + 1}` : `${id}_out`);
        channels = out;
      }
    });
    return tf.model({ inputs: input, outputs: f.head(x, options.classes), name });
  },
};
