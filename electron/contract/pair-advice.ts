/** Convolutional pairs offered instead, the quicker first (a pair too large for the images is refused at its picker). */
export const CONVNET_PAIRS = [
  { teacher: 'lenet5@2', student: 'lenet5@0.5' },
  { teacher: 'resnet20', student: 'resnet20@0.5' },
] as const;

/** Side beyond which pictures are more than digits and clothes on a plain background. */
const SMALL_SIDE = 32;

/**
 * Why to pick a convolutional pair, before a run, when both models to be trained are MLPs and the
 * images are in colour or larger than 32 px; null otherwise. An MLP reads each pixel on its own,
 * so it cannot reuse what it learnt at one place at another: on MNIST-like digits that costs
 * little (the `quick` and `auto` pair), on photos most of what a convnet learns.
 */
export function mlpPairOnPictures(shape: readonly [number, number, number], teacherFamily: string, studentFamily: string): string | null {
  if (teacherFamily !== 'mlp' || studentFamily !== 'mlp') return null;
  const [height, width, channels] = shape;
  if (channels !== 3 && Math.max(height, width) <= SMALL_SIDE) return null;
  const what = channels === 3 ? 'colour pictures' : `${height}×${width} pictures`;
  return `Both models are MLPs, which read each pixel on its own and cannot reuse at one place what they learnt at another. On ${what} a convolutional pair learns far more from the same images (ResNet-20 reaches 91 % on CIFAR-10, He et al. 2016), though it trains slower on a CPU.`;
}
