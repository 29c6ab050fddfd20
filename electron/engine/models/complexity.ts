import type * as tf from '@tensorflow/tfjs';

/** Trainable parameters, as papers and PyTorch count them (batch-norm running statistics excluded). */
export function trainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}

/** Multiply–accumulates of one forward pass for one image ("FLOPs" in most papers). */
export function countMacs(model: tf.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const out = (layer.outputShape as number[]).slice(1);
    const kernel = layer.getWeights()[0]?.shape ?? [];
    const cls = layer.getClassName();
    if (cls === 'Conv2D' && kernel.length === 4) macs += out[0]! * out[1]! * kernel[0]! * kernel[1]! * kernel[2]! * kernel[3]!;
    else if (cls === 'DepthwiseConv2D' && kernel.length === 4) macs += out[0]! * out[1]! * kernel[0]! * kernel[1]! * kernel[2]! * kernel[3]!;
    else if (cls === 'Dense' && kernel.length === 2) macs += kernel[0]! * kernel[1]!;
  }
  return macs;
}
