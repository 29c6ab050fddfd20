import { MODEL_FAMILY_CATALOGUE } from '../../contract/catalogue';
import * as tf from '@tensorflow/tfjs';
import { LayerFactory, parseWidth, scaled } from './blocks';
import type { ModelFamily } from './model-spec';

/** Simonyan & Zisserman's configurations ('M' = max-pool), CIFAR form: conv+BN+ReLU, one linear layer. */
const CONFIGS: Record<string, Array<number | 'M'>> = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  vgg19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

interface VggSpec {
  config: Array<number | 'M'>;
  width: number;
  name: string;
}

/**
 * VGG with batch norm for small images (as in pytorch-cifar): a pool is skipped once the
 * map is 1×1, so it builds for 28×28 MNIST as well as 32×32 CIFAR. The ReLU before each pool
 * is named `stage_<n>` (attention transfer and FitNets pair those).
 */
export const vggFamily: ModelFamily = {
  id: 'vgg',
  ...MODEL_FAMILY_CATALOGUE.vgg,
  parse(name) {
    const parsed = parseWidth(name);
    if (!parsed || !CONFIGS[parsed.base]) return null;
    return { config: CONFIGS[parsed.base]!, width: parsed.width, name } satisfies VggSpec;
  },
  build(spec, options) {
    const { config, width, name } = spec as VggSpec;
    const f = new LayerFactory(options.seed);
    const input = tf.input({ shape: options.inputShape });
    let x = input;
    let size = Math.min(options.inputShape[0], options.inputShape[1]);
    let conv = 0;
    let stage = 0;
    for (const [i, item] of config.entries()) {
      if (item === 'M') {
        stage++;
        if (size >= 2) {
          x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool_${stage}` }).apply(x) as tf.SymbolicTensor;
          size = Math.floor(size / 2);
        }
        continue;
      }
      conv++;
      x = f.conv(x, scaled(item, width), 3, 1, `conv_${conv}`, true);
      x = f.bn(x, `bn_${conv}`);
      x = f.relu(x, config[i + 1] === 'M' ? `stage_${stage + 1}` : `relu_${conv}`);
    }
    const logits = f.head(x, options.classes);
    return tf.model({ inputs: input, outputs: logits, name });
  },
};
