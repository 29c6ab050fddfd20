import { integerOption, nullableIntegerOption, numberOption, textOption, type OptionTable } from './options';

/**
 * Each distillation method's options (namespaced per method, as mdistiller's CFG.DKD.BETA): label,
 * help, flag, default and range. The methods' entries (methods.ts) name them.
 */
const FEATURE_PAIRS = {
  label: 'feature pairs',
  help: "which student layer learns from which teacher layer; empty picks per architecture (an imported teacher's by shape: its stages lined up with the student's by size, maps of different sizes compared pooled to the smaller). An imported teacher's side is one of its tensors, by name (an ONNX export's /layer1/Relu_output_0): the Models screen lists them",
  flag: 'feature-pairs',
  valueName: 'S:T[,…]',
  default: null,
  // The teacher's side may be an ONNX tensor's name, which holds slashes, dots and colons.
  pattern: /^[\w-]+:[^,\s]+(,[\w-]+:[^,\s]+)*$/,
  expected: 'studentLayer:teacherLayer[,…]',
} as const;

/** A method's warm-up: how many epochs its term's weight ramps up over, linearly from 0. */
const warmupEpochs = (flag: string, epochs: number, help: string) => integerOption({ label: 'warm-up epochs', help, flag, basic: true, default: epochs, min: 0, max: 10000 });

/**
 * Hinton's soft term on top of a feature or relation method's own (CRD+KD, RKD+KD, …), one flag
 * for every method that has it, as --feature-pairs is. Tian et al. (RepDistiller) add it to every
 * method they compare, at weight 1 (their α), and report each combination above KD alone.
 */
export const KD_TERM_FLAG = 'kd-weight';
const kdTermWeightOption = () =>
  numberOption({
    label: 'plus KD: soft-term weight',
    help: "adds Hinton's soft term w·T²·KL(teacher ‖ student at T) to this method's loss, at KD's T and warm-up (Tian et al. combine every method with KD at w = 1); 0 leaves it out. At a high rate a student without batch norm can fall to chance when the ramp ends (LeNet-5 at 0.05 did at 1): try 0.5 and a longer KD warm-up",
    flag: KD_TERM_FLAG,
    valueName: 'W',
    basic: true,
    default: 0,
    min: 0,
    max: 100,
    ui: { min: 0, max: 4, step: 0.1, slider: true },
  });

export const kdOptions = {
  temperature: numberOption({
    label: 'temperature T',
    help: 'softens both distributions; T = 1 is the plain softmax, 2–4 usually works',
    flag: 'temperature',
    valueName: 'T',
    basic: true,
    default: 4,
    min: 0,
    exclusiveMin: true,
    max: 1000,
    ui: { min: 1, max: 20, step: 0.5, slider: true },
  }),
  alpha: numberOption({
    label: 'α (weight of the soft targets)',
    help: 'α weighs the soft term against cross-entropy with the labels; with the T² factor a large α can hurt, 0.5 is a safe start',
    flag: 'alpha',
    valueName: 'A',
    basic: true,
    default: 0.5,
    min: 0,
    max: 1,
    ui: { min: 0, max: 1, step: 0.05, slider: true },
  }),
  warmup: warmupEpochs('kd-warmup', 1, "α ramps up linearly from 0 over these epochs, so the first steps learn from the labels: the soft term's first gradients are about α·T times cross-entropy's, and at a high rate they can stop a student without batch norm (LeNet-5 at 0.05) learning at all"),
} satisfies OptionTable;

export const fitnetOptions = {
  hintEpochs: nullableIntegerOption({
    label: 'hint epochs',
    help: 'epochs of hint training before KD; empty is a quarter of the epochs (at least 1)',
    flag: 'hint-epochs',
    basic: true,
    default: null,
    min: 0,
    max: 10000,
  }),
  featurePairs: textOption(FEATURE_PAIRS),
} satisfies OptionTable;

export const atOptions = {
  weight: numberOption({
    label: 'attention weight β',
    help: "weight of the attention term (Zagoruyko & Komodakis; mdistiller uses 1000)",
    flag: 'at-weight',
    valueName: 'W',
    basic: true,
    default: 1000,
    min: 0,
    max: 1e6,
    ui: { min: 0, max: 5000, step: 50 },
  }),
  warmup: warmupEpochs('at-warmup', 1, "β ramps up linearly over these epochs: the attention term is blind to a map's scale, so its gradient grows as an untrained student's maps are small, and at full β it can stop a student without batch norm (LeNet-5) learning at all"),
  featurePairs: textOption(FEATURE_PAIRS),
  kdWeight: kdTermWeightOption(),
} satisfies OptionTable;

export const dkdOptions = {
  alpha: numberOption({
    label: 'target-class weight α',
    help: "weight of TCKD, the target vs. non-target term (Zhao et al.: 1)",
    flag: 'dkd-alpha',
    valueName: 'A',
    basic: true,
    default: 1,
    min: 0,
    max: 100,
    ui: { min: 0, max: 4, step: 0.1, slider: true },
  }),
  beta: numberOption({
    label: 'non-target-class weight β',
    help: 'weight of NCKD, the term over the wrong classes (Zhao et al.: 8 for CIFAR ResNets)',
    flag: 'dkd-beta',
    valueName: 'B',
    basic: true,
    default: 8,
    min: 0,
    max: 100,
    ui: { min: 0, max: 16, step: 0.5, slider: true },
  }),
  // 3, not KD's 1: on the quick recipe's lenet5 → lenet5@0.5, 5 seeds, DKD gained −22.82 ± 16.23
  // points with 1 (a seed at chance), −0.21 ± 0.28 with 2 and +0.35 ± 0.10 with 3; on its MLP pair
  // +1.07, +1.15 and +1.06 (README, the study on the quick recipe).
  warmup: warmupEpochs('dkd-warmup', 3, "the DKD terms ramp up linearly over these epochs (Zhao et al.: 20 of 240): unlike KD's, the non-target term is not scaled down where the teacher is sure, and on a student without batch norm at a high rate (LeNet-5 at 0.05) it unsettles training once the ramp ends if that comes too soon"),
} satisfies OptionTable;

export const distOptions = {
  interWeight: numberOption({
    label: 'between-class weight β',
    help: "weight of the inter-class term: each image's probabilities correlated with the teacher's (Huang et al.: 1)",
    flag: 'dist-beta',
    valueName: 'B',
    basic: true,
    default: 1,
    min: 0,
    max: 100,
    ui: { min: 0, max: 4, step: 0.1, slider: true },
  }),
  intraWeight: numberOption({
    label: 'within-class weight γ',
    help: "weight of the intra-class term: each class's probabilities over the batch correlated with the teacher's (Huang et al.: 1)",
    flag: 'dist-gamma',
    valueName: 'G',
    basic: true,
    default: 1,
    min: 0,
    max: 100,
    ui: { min: 0, max: 4, step: 0.1, slider: true },
  }),
  // Its own, not KD's 1 (which it read until then): on the quick recipe's lenet5@2 → lenet5@0.5,
  // 5 seeds, DIST gained −0.78 ± 0.27 points with 1 and +0.27 ± 0.11 with 3, and on its MLP pair
  // +0.85 either way, where KD with 3 gains 0.22 less (README, the study on the quick recipe).
  warmup: warmupEpochs('dist-warmup', 3, "α ramps up linearly from 0 over these epochs, as KD's does: the relation terms, scaled by α·T², set back a student without batch norm at a high rate (LeNet-5 at 0.05) once the ramp ends if that comes too soon"),
} satisfies OptionTable;

export const rkdOptions = {
  distanceWeight: numberOption({
    label: 'distance weight',
    help: "weight of the distance term: the images' distances to each other, each set scaled by its mean (Park et al.; mdistiller: 25)",
    flag: 'rkd-distance',
    valueName: 'W',
    basic: true,
    default: 25,
    min: 0,
    max: 1e4,
    ui: { min: 0, max: 100, step: 1 },
  }),
  angleWeight: numberOption({
    label: 'angle weight',
    help: 'weight of the angle term: the angles of the triangles any three images make (Park et al.; mdistiller: 50)',
    flag: 'rkd-angle',
    valueName: 'W',
    basic: true,
    default: 50,
    min: 0,
    max: 1e4,
    ui: { min: 0, max: 200, step: 1 },
  }),
  kdWeight: kdTermWeightOption(),
} satisfies OptionTable;

export const spOptions = {
  weight: numberOption({
    label: 'similarity weight',
    help: 'weight of the similarity term: how alike the batch\'s images are to each other, student against teacher (Tung & Mori; mdistiller: 3000)',
    flag: 'sp-weight',
    valueName: 'W',
    basic: true,
    default: 3000,
    min: 0,
    max: 1e6,
    ui: { min: 0, max: 10000, step: 100 },
  }),
  // On the quick recipe (MNIST, seed 1), at full weight from the first step mlp-30x2 stayed at
  // chance; with 1 epoch it trained (94.43 %) but lenet5@0.5, which has no batch norm, fell to
  // chance as the ramp ended; with 3 both train (94.30 % and 97.74 %, the students alone 93.67
  // and 97.22 %), as DKD's and DIST's warm-ups of 3 do.
  warmup: warmupEpochs('sp-warmup', 3, "the weight ramps up linearly over these epochs: the term is blind to the embeddings' scale, so its gradient grows as an untrained student's embeddings are small, and at full weight from the first step it can stop a student learning at all"),
  kdWeight: kdTermWeightOption(),
} satisfies OptionTable;

export const pktOptions = {
  weight: numberOption({
    label: 'transfer weight',
    help: "weight of the KL divergence between the two models' distributions of similarities over the batch (Passalis & Tefas; mdistiller: 30000)",
    flag: 'pkt-weight',
    valueName: 'W',
    basic: true,
    default: 30000,
    min: 0,
    max: 1e7,
    ui: { min: 0, max: 100000, step: 1000 },
  }),
  // On the quick recipe (MNIST, 3 seeds), at full weight from the first step lenet5@0.5, which has
  // no batch norm, lost 2.33 ± 1.71 points (one seed at 91.34 %); with 3 it gains +0.47 ± 0.08,
  // and mlp-30x2 the same either way (+0.61 ± 0.11 and +0.59 ± 0.08).
  warmup: warmupEpochs('pkt-warmup', 3, "the weight ramps up linearly over these epochs: the term is blind to the embeddings' scale, so its gradient grows as an untrained student's embeddings are small"),
  kdWeight: kdTermWeightOption(),
} satisfies OptionTable;

export const crdOptions = {
  weight: numberOption({
    label: 'contrastive weight',
    help: "weight of the contrastive term, whose minimum makes each image's student embedding pick out the teacher's embedding of the same image from many others' (Tian et al.; mdistiller: 0.8)",
    flag: 'crd-weight',
    valueName: 'W',
    basic: true,
    default: 0.8,
    min: 0,
    max: 1e4,
    ui: { min: 0, max: 5, step: 0.1 },
  }),
  negatives: integerOption({
    label: 'negatives',
    help: "how many other images each image is told apart from at each step, drawn at random from the memory of every training image's embeddings. Tian et al. used 16384 on a GPU, where more helped a little; each costs two dot products per image, and on 2 CPU cores 16384 take 3 times as long per step as 4096",
    flag: 'crd-negatives',
    valueName: 'K',
    basic: true,
    // 175 ms a step for mlp-800x2 → mlp-30x2 on wasm with 16384, 54 ms with 4096 (batch 64, 2 cores).
    default: 4096,
    min: 1,
    max: 65536,
    ui: { min: 256, max: 16384, step: 256 },
  }),
  temperature: numberOption({
    label: 'contrast temperature',
    help: 'divides the cosine similarities before they are exponentiated (Tian et al.: 0.07); unrelated to KD\'s T',
    flag: 'crd-temperature',
    valueName: 'T',
    default: 0.07,
    min: 0,
    exclusiveMin: true,
    max: 10,
    ui: { min: 0.01, max: 1, step: 0.01 },
  }),
  momentum: numberOption({
    label: 'memory momentum',
    help: "how much of an image's remembered embedding is kept each time the image is seen again; the rest is its new embedding (Tian et al.: 0.5)",
    flag: 'crd-momentum',
    valueName: 'M',
    default: 0.5,
    min: 0,
    max: 0.999,
    ui: { min: 0, max: 0.99, step: 0.01 },
  }),
  dimensions: integerOption({
    label: 'projection size',
    help: 'both embeddings are projected by a learnt linear map to this many dimensions and scaled to unit length before they are compared (Tian et al.: 128)',
    flag: 'crd-dim',
    valueName: 'D',
    default: 128,
    min: 2,
    max: 4096,
  }),
  kdWeight: kdTermWeightOption(),
} satisfies OptionTable;

export const reviewkdOptions = {
  weight: numberOption({
    label: 'review weight',
    help: "weight of the hierarchical context loss between the fused student levels and the teacher's (Chen et al.; mdistiller: 1)",
    flag: 'reviewkd-weight',
    valueName: 'W',
    basic: true,
    default: 1,
    min: 0,
    max: 1e4,
    ui: { min: 0, max: 10, step: 0.1 },
  }),
  warmup: warmupEpochs('reviewkd-warmup', 1, 'the weight ramps up linearly over these epochs (mdistiller: 20 of CIFAR\'s 240), as attention transfer\'s does'),
  featurePairs: textOption(FEATURE_PAIRS),
  kdWeight: kdTermWeightOption(),
} satisfies OptionTable;

export const ofdOptions = {
  weight: numberOption({
    label: 'feature weight',
    help: "weight of the partial L2 distance between the student's maps, through their connectors, and the teacher's before their ReLU, summed over each map and averaged over the batch (Heo et al.; mdistiller: 0.001)",
    flag: 'ofd-weight',
    valueName: 'W',
    basic: true,
    default: 0.001,
    min: 0,
    max: 10,
    ui: { min: 0, max: 0.01, step: 0.0005 },
  }),
  warmup: warmupEpochs('ofd-warmup', 1, "the weight ramps up linearly over these epochs (mdistiller: none), as the other feature methods' do: the term sums over every position of every map, so it starts large beside cross-entropy"),
  featurePairs: textOption(FEATURE_PAIRS),
  kdWeight: kdTermWeightOption(),
} satisfies OptionTable;

export const nstOptions = {
  weight: numberOption({
    label: 'selectivity weight',
    help: "weight of the NST term, the squared maximum mean discrepancy between the two models' channels (Huang & Wang; mdistiller: 50)",
    flag: 'nst-weight',
    valueName: 'W',
    basic: true,
    default: 50,
    min: 0,
    max: 1e6,
    ui: { min: 0, max: 200, step: 5 },
  }),
  warmup: warmupEpochs('nst-warmup', 1, "the weight ramps up linearly over these epochs: each channel is scaled to unit length, so the term is blind to the maps' scale and its gradient grows as an untrained student's maps are small"),
  featurePairs: textOption(FEATURE_PAIRS),
  kdWeight: kdTermWeightOption(),
} satisfies OptionTable;

export const vidOptions = {
  weight: numberOption({
    label: 'information weight',
    help: "weight of the VID term, the teacher's maps' negative log-likelihood under the Gaussians the student's maps predict (Ahn et al.; mdistiller: 1)",
    flag: 'vid-weight',
    valueName: 'W',
    basic: true,
    default: 1,
    min: 0,
    max: 1e4,
    ui: { min: 0, max: 10, step: 0.1 },
  }),
  initialVariance: numberOption({
    label: 'initial variance',
    help: "each teacher channel's learnt variance σ² at the start (mdistiller: 5): a larger one lets the maps count for less at first",
    flag: 'vid-variance',
    valueName: 'V',
    basic: true,
    default: 5,
    min: 0,
    exclusiveMin: true,
    max: 1e4,
  }),
  warmup: warmupEpochs('vid-warmup', 1, 'the weight ramps up linearly over these epochs, as attention transfer\'s does'),
  featurePairs: textOption(FEATURE_PAIRS),
  kdWeight: kdTermWeightOption(),
} satisfies OptionTable;
