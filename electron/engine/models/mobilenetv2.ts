import { MODEL_FAMILY_CATALOGUE } from '../../contract/catalogue';
import * as tf from '@tensorflow/tfjs';
import { LayerFactory, parseWidth } from './blocks';
import type { ModelFamily } from './model-spec';

/** Sandler et al. (2018), CIFAR form (stride 1 in the stem and the 24-channel stage): (t, c, n, s). */
const BLOCKS: Array<[number, number, number, number]> = [
  [1, 16, 1, 1],
  [6, 24, 2, 1],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** Channels × width, rounded to a multiple of 8 as the paper does (never down by more than 10 %). */
function divisible(channels: number, width: number): number {
  const value = channels * width;
  const rounded = Math.max(8, Math.floor((value + 4) / 8) * 8);
  return rounded < 0.9 * value ? rounded + 8 : rounded;
}

/** Inverted residual blocks with linear bottlenecks: a phone-sized student. Stages end in `stage_<n>`. */
export const mobilenetV2Family: ModelFamily = {
  id: 'mobilenetv2',
  ...MODEL_FAMILY_CATALOGUE.mobilenetv2,
  parse(name) {
    const parsed = parseWidth(name);
    return parsed?.base === 'mobilenetv2' ? { width: parsed.width, name } : null;
  },
  build(spec, options) {
    const { width, name } = spec as { width: number; name: string };
    const f = new LayerFactory(options.seed);
    const input = tf.input({ shape: options.inputShape });
    let channels = divisible(32, width);
    let x = f.relu(f.bn(f.conv(input, channels, 3, 1, 'stem_conv'), 'stem_bn'), 'stem_relu', 6);
    BLOCKS.forEach(([t, c, n, s], stage) => {
      const out = divisible(c, width);
      for (let i = 0; i < n; i++) {
        const id = `b${stage + 1}_${i + 1}`;
        const stride = i === 0 ? s : 1;
        let y = x;
        if (t !== 1) y = f.relu(f.bn(f.conv(y, channels * t, 1, 1, `${id}_expand`), `${id}_expand_bn`), `${id}_expand_relu`, 6);
        y = f.relu(f.bn(f.depthwise(y, stride, `${id}_dw`), `${id}_dw_bn`), `${id}_dw_relu`, 6);
        y = f.bn(f.conv(y, out, 1, 1, `${id}_project`), `${id}_project_bn`);
        const last = i === n - 1;
        if (stride === 1 && channels === out) y = tf.layers.add({ name: last ? `stage_${stage + 1}` : `${id}_add` }).apply([x, y]) as tf.SymbolicTensor;
        else if (last) y = tf.layers.activation({ activation: 'linear', name: `stage_${stage + 1}` }).apply(y) as tf.SymbolicTensor;
        x = y;
        channels = out;
      }
    });
    const head = width > 1 ? divisible(1280, width) : 1280;
    x = f.relu(f.bn(f.conv(x, head, 1, 1, 'head_conv'), 'head_bn'), 'head_relu', 6);
    return tf.model({ inputs: input, outputs: f.head(x, options.classes), name });
  },
};
