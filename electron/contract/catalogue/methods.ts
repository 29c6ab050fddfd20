import { CONVOLUTIONAL_FAMILIES, MODEL_FAMILY_IDS, type ModelFamilyId } from './models';
import { integerOption, nullableIntegerOption, numberOption, optionDefaults, textOption, type OptionTable } from './options';

/**
 * Every distillation method: what it is, its loss in words, its options (namespaced per method,
 * as mdistiller's CFG.DKD.BETA), and which model families it works on. CLI flags, help, the
 * app's pickers and forms, and the engine's registry (Record<MethodId, …>) all derive from it.
 */
export interface MethodEntry {
  label: string;
  /** One line for pickers. */
  summary: string;
  /** A few sentences for help text and the app. */
  help: string;
  /** The training loss in words. */
  loss: string;
  needsTeacher: boolean;
  /**
   * Which of the teacher's hidden layers it reads: layers paired with the student's (an imported
   * teacher, ONNX or a GraphModel, is told which of its tensors: --feature-pairs, or chosen by
   * shape), the embedding its classifier reads (found in any teacher), or none (outputs only).
   */
  teacherLayers: 'none' | 'pairs' | 'embedding';
  families: readonly ModelFamilyId[];
  /** What the families have that others lack, for the error on a model it cannot use. */
  requires?: string;
  options: OptionTable;
  /** Options of other methods this one reads (`kd.temperature`): FitNets ends with KD, DKD uses KD's T. */
  uses: readonly string[];
  paper: string;
}

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

const kdOptions = {
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
  warmup: integerOption({
    label: 'warm-up epochs',
    help: "α ramps up linearly from 0 over these epochs, so the first steps learn from the labels: the soft term's first gradients are about α·T times cross-entropy's, and at a high rate they can stop a student without batch norm (LeNet-5 at 0.05) learning at all",
    flag: 'kd-warmup',
    basic: true,
    default: 1,
    min: 0,
    max: 10000,
  }),
} satisfies OptionTable;

const fitnetOptions = {
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

const atOptions = {
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
  warmup: integerOption({
    label: 'warm-up epochs',
    help: "β ramps up linearly over these epochs: the attention term is blind to a map's scale, so its gradient grows as an untrained student's maps are small, and at full β it can stop a student without batch norm (LeNet-5) learning at all",
    flag: 'at-warmup',
    basic: true,
    default: 1,
    min: 0,
    max: 10000,
  }),
  featurePairs: textOption(FEATURE_PAIRS),
} satisfies OptionTable;

const dkdOptions = {
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
  warmup: integerOption({
    label: 'warm-up epochs',
    help: "the DKD terms ramp up linearly over these epochs (Zhao et al.: 20 of 240): unlike KD's, the non-target term is not scaled down where the teacher is sure, and on a student without batch norm at a high rate (LeNet-5 at 0.05) it unsettles training once the ramp ends if that comes too soon",
    flag: 'dkd-warmup',
    basic: true,
    // 3, not KD's 1: on the quick recipe's lenet5 → lenet5@0.5, 5 seeds, DKD gained −22.82 ± 16.23
    // points with 1 (a seed at chance), −0.21 ± 0.28 with 2 and +0.35 ± 0.10 with 3; on its MLP pair
    // +1.07, +1.15 and +1.06 (README, the study on the quick recipe).
    default: 3,
    min: 0,
    max: 10000,
  }),
} satisfies OptionTable;

const distOptions = {
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
  warmup: integerOption({
    label: 'warm-up epochs',
    help: "α ramps up linearly from 0 over these epochs, as KD's does: the relation terms, scaled by α·T², set back a student without batch norm at a high rate (LeNet-5 at 0.05) once the ramp ends if that comes too soon",
    flag: 'dist-warmup',
    basic: true,
    // Its own, not KD's 1 (which it read until then): on the quick recipe's lenet5@2 → lenet5@0.5,
    // 5 seeds, DIST gained −0.78 ± 0.27 points with 1 and +0.27 ± 0.11 with 3, and on its MLP pair
    // +0.85 either way, where KD with 3 gains 0.22 less (README, the study on the quick recipe).
    default: 3,
    min: 0,
    max: 10000,
  }),
} satisfies OptionTable;

const rkdOptions = {
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
} satisfies OptionTable;

const spOptions = {
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
  warmup: integerOption({
    label: 'warm-up epochs',
    help: "the weight ramps up linearly over these epochs: the term is blind to the embeddings' scale, so its gradient grows as an untrained student's embeddings are small, and at full weight from the first step it can stop a student learning at all",
    flag: 'sp-warmup',
    basic: true,
    // On the quick recipe (MNIST, seed 1), at full weight from the first step mlp-30x2 stayed at
    // chance; with 1 epoch it trained (94.43 %) but lenet5@0.5, which has no batch norm, fell to
    // chance as the ramp ended; with 3 both train (94.30 % and 97.74 %, the students alone 93.67
    // and 97.22 %), as DKD's and DIST's warm-ups of 3 do.
    default: 3,
    min: 0,
    max: 10000,
  }),
} satisfies OptionTable;

const pktOptions = {
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
  warmup: integerOption({
    label: 'warm-up epochs',
    help: "the weight ramps up linearly over these epochs: the term is blind to the embeddings' scale, so its gradient grows as an untrained student's embeddings are small",
    flag: 'pkt-warmup',
    basic: true,
    // On the quick recipe (MNIST, 3 seeds), at full weight from the first step lenet5@0.5, which has
    // no batch norm, lost 2.33 ± 1.71 points (one seed at 91.34 %); with 3 it gains +0.47 ± 0.08,
    // and mlp-30x2 the same either way (+0.61 ± 0.11 and +0.59 ± 0.08).
    default: 3,
    min: 0,
    max: 10000,
  }),
} satisfies OptionTable;

export const METHOD_CATALOGUE = {
  kd: {
    label: 'KD (Hinton)',
    summary: 'KD (Hinton): soft labels at temperature T',
    help: "The student learns the teacher's softened predictions at temperature T, plus the true labels.",
    loss: 'α·T²·KL(teacher ‖ student at T) + (1 − α)·cross-entropy with the labels',
    needsTeacher: true,
    teacherLayers: 'none',
    families: MODEL_FAMILY_IDS,
    options: kdOptions,
    uses: [],
    paper: 'Hinton, Vinyals & Dean (2015)',
  },
  fitnet: {
    label: 'FitNets',
    summary: 'FitNets: hints from a middle layer, then KD',
    help: "First a regressor maps a student layer to a teacher layer (the hint); then KD with KD's T and α.",
    loss: '‖regressor(student layer) − teacher layer‖² for the hint epochs, then the KD loss',
    needsTeacher: true,
    teacherLayers: 'pairs',
    families: MODEL_FAMILY_IDS,
    options: fitnetOptions,
    uses: ['kd.temperature', 'kd.alpha', 'kd.warmup'],
    paper: 'Romero et al. (2015)',
  },
  at: {
    label: 'Attention transfer',
    summary: 'Attention transfer: match spatial attention (convnets)',
    help: "The student's stage outputs learn where the teacher's attend; needs convolutional models.",
    loss: 'cross-entropy + β·Σ‖attention(student) − attention(teacher)‖² at the stage outputs',
    needsTeacher: true,
    teacherLayers: 'pairs',
    families: CONVOLUTIONAL_FAMILIES,
    requires: 'convolutional feature maps in both models',
    options: atOptions,
    uses: [],
    paper: 'Zagoruyko & Komodakis (2017)',
  },
  dkd: {
    label: 'DKD',
    summary: 'DKD: decoupled target / non-target KD',
    help: "KD split into a target-class and a non-target-class term, weighted apart, at KD's temperature T.",
    loss: 'cross-entropy + α·TCKD + β·NCKD, ramped up over the warm-up epochs',
    needsTeacher: true,
    teacherLayers: 'none',
    families: MODEL_FAMILY_IDS,
    options: dkdOptions,
    uses: ['kd.temperature'],
    paper: 'Zhao et al. (2022)',
  },
  dist: {
    label: 'DIST',
    summary: "DIST: keep the teacher's ranking of classes, not its exact probabilities",
    help: "The student's softened probabilities are correlated with the teacher's, per image across classes and per class across the batch, at KD's T and α: for a student too small to copy the teacher exactly.",
    loss: 'α·T²·[β·(1 − correlation between classes) + γ·(1 − correlation within classes)] + (1 − α)·cross-entropy',
    needsTeacher: true,
    teacherLayers: 'none',
    families: MODEL_FAMILY_IDS,
    options: distOptions,
    uses: ['kd.temperature', 'kd.alpha'],
    paper: 'Huang et al. (2022)',
  },
  rkd: {
    label: 'RKD',
    summary: "RKD: keep the distances and angles between images' embeddings",
    help: "The student's embeddings (what its classifier reads) keep the teacher's geometry: how far apart the batch's images are, and the angles of the triangles they make. Widths need not agree; no regressor is learnt.",
    loss: 'cross-entropy + w_d·smooth-L1(distances) + w_a·smooth-L1(angles), distances scaled by their mean',
    needsTeacher: true,
    teacherLayers: 'embedding',
    families: MODEL_FAMILY_IDS,
    options: rkdOptions,
    uses: [],
    paper: 'Park et al. (2019)',
  },
  sp: {
    label: 'SP',
    summary: "SP: keep which of the batch's images look alike to the teacher",
    help: "The student's embeddings (what its classifier reads) keep the teacher's similarities between the batch's images: each model's Gram matrix over the batch, rows scaled to unit length. Widths need not agree; no regressor is learnt. mdistiller reads the last map before pooling; here the embedding, which every teacher gives, imported ones included.",
    loss: 'cross-entropy + w·‖Ĝ(student) − Ĝ(teacher)‖² / b², Ĝ the batch Gram matrix with unit rows',
    needsTeacher: true,
    teacherLayers: 'embedding',
    families: MODEL_FAMILY_IDS,
    options: spOptions,
    uses: [],
    paper: 'Tung & Mori (2019)',
  },
  pkt: {
    label: 'PKT',
    summary: "PKT: match how each image's neighbours in the batch are distributed",
    help: "Each image's cosine similarities to the batch's others, in the embeddings the classifiers read, become a probability distribution; the student's learn the teacher's by KL divergence. Widths need not agree; no regressor is learnt.",
    loss: 'cross-entropy + w·mean KL(teacher ‖ student) of the similarity distributions',
    needsTeacher: true,
    teacherLayers: 'embedding',
    families: MODEL_FAMILY_IDS,
    options: pktOptions,
    uses: [],
    paper: 'Passalis & Tefas (2018)',
  },
  baseline: {
    label: 'Student alone',
    summary: 'No teacher: the student alone',
    help: 'The student trained on the labels alone: the reference every method is compared with.',
    loss: 'cross-entropy with the labels',
    needsTeacher: false,
    teacherLayers: 'none',
    families: MODEL_FAMILY_IDS,
    options: {},
    uses: [],
    paper: '',
  },
} as const satisfies Record<string, MethodEntry>;

export type MethodId = keyof typeof METHOD_CATALOGUE;
export const METHOD_IDS = Object.keys(METHOD_CATALOGUE) as [MethodId, ...MethodId[]];

/** `kd.temperature`: an option of a method, by method and key. */
export type OptionRef = { [M in MethodId]: `${M}.${Extract<keyof (typeof METHOD_CATALOGUE)[M]['options'], string>}` }[MethodId];

// Every `uses` entry names a real option: a typo fails the type-check.
const usesAreOptions: (typeof METHOD_CATALOGUE)[MethodId]['uses'][number] extends OptionRef ? true : never = true;
void usesAreOptions;

/** Study entries besides the plain methods: the student starts from the teacher's weights. */
export const STUDY_VARIANTS = [{ id: 'init+kd', label: 'teacher init + KD' }] as const;
export const DEFAULT_STUDY = 'baseline,kd,fitnet,at,dkd,init+kd';
/**
 * How many seeds a study trains every method with, on its one teacher and split: one run's gain is
 * within ±0.9 points of noise on 10,000 test images, and a mean over seeds narrows that.
 */
export const STUDY_SEEDS = integerOption({
  label: 'seeds per method',
  help: 'train every method with this many seeds (S, S+1, …) on the one teacher and split, and give each gain as the mean over seeds ± its standard error; the saved students are seed S\'s',
  flag: 'seeds',
  valueName: 'N',
  default: 1,
  min: 1,
  max: 10,
});
/** A study's entry as written in --methods and its rows: a method, or `init+<method>` (from the teacher's weights). */
export const STUDY_ENTRY_PATTERN = new RegExp(`^(init\\+)?(${Object.keys(METHOD_CATALOGUE).join('|')})$`);

/** Every option a method reads, its own and those it uses, as [method, key] pairs. */
export function optionsOfMethod(method: MethodId): Array<{ method: MethodId; key: string }> {
  const entry: MethodEntry = METHOD_CATALOGUE[method];
  const used = entry.uses.map((ref) => {
    const [owner, key] = ref.split('.') as [MethodId, string];
    return { method: owner, key };
  });
  return [...used, ...Object.keys(entry.options).map((key) => ({ method, key }))];
}

/** Every method's options at their catalogue defaults, keyed by method (typed in run-config.ts). */
export function methodOptionDefaults(): Record<MethodId, Record<string, unknown>> {
  return Object.fromEntries(METHOD_IDS.map((id) => [id, optionDefaults(METHOD_CATALOGUE[id].options as OptionTable)])) as Record<MethodId, Record<string, unknown>>;
}
