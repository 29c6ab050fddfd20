import { CONVOLUTIONAL_FAMILIES, MODEL_FAMILY_IDS, type ModelFamilyId } from './models';
import { atOptions, crdOptions, distOptions, dkdOptions, fitnetOptions, kdOptions, nstOptions, ofdOptions, pktOptions, reviewkdOptions, rkdOptions, spOptions, vidOptions } from './method-options';
import { optionDefaults, type OptionTable } from './options';

export { KD_TERM_FLAG } from './method-options';

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
  nst: {
    label: 'NST',
    summary: 'NST: match where the teacher\'s channels fire over the image (convnets)',
    help: "Each channel of a stage output is a pattern over the image; the student's channels learn the distribution of the teacher's, by maximum mean discrepancy with a polynomial kernel. Channel counts need not agree; needs convolutional models.",
    loss: 'cross-entropy + w·Σ MMD²(student channels, teacher channels) at the stage outputs, kernel (a·b)², each channel of unit length',
    needsTeacher: true,
    teacherLayers: 'pairs',
    families: CONVOLUTIONAL_FAMILIES,
    requires: 'convolutional feature maps in both models',
    options: nstOptions,
    uses: [],
    paper: 'Huang & Wang (2017)',
  },
  vid: {
    label: 'VID',
    summary: "VID: the student's maps predict the teacher's, as Gaussians (convnets)",
    help: "A small regressor (three 1×1 convolutions) turns each student stage output into the mean of a Gaussian over the teacher's, with a variance learnt per teacher channel; the student maximises the teacher maps' likelihood, which bounds their mutual information. Needs convolutional models.",
    loss: 'cross-entropy + w·Σ mean of ½·((regressor(student) − teacher)²/σ² + log σ²) at the stage outputs',
    needsTeacher: true,
    teacherLayers: 'pairs',
    families: CONVOLUTIONAL_FAMILIES,
    requires: 'convolutional feature maps in both models',
    options: vidOptions,
    uses: [],
    paper: 'Ahn et al. (2019)',
  },
  reviewkd: {
    label: 'ReviewKD',
    summary: "ReviewKD: each student stage, fused with the deeper ones, learns the teacher's (convnets)",
    help: "Knowledge review: from the deepest level (the embedding the classifier reads) up, each student stage output is fused with the level below it by a learnt attention and turned into the teacher's channels by a 3×3 convolution, and learns the teacher's stage output at several poolings. So a shallow student stage learns from the teacher's deeper ones too. The fusion modules train with the student and are dropped after. Needs convolutional models.",
    loss: 'cross-entropy + w·Σ levels of the hierarchical context loss: MSE at full size and pooled to 4×4, 2×2 and 1×1, each weighted half the one before',
    needsTeacher: true,
    teacherLayers: 'pairs',
    families: CONVOLUTIONAL_FAMILIES,
    requires: 'convolutional feature maps in both models',
    options: reviewkdOptions,
    uses: [],
    paper: 'Chen et al. (2021)',
  },
  ofd: {
    label: 'OFD',
    summary: "OFD: the student's maps learn the teacher's before their ReLU, where it matters (convnets)",
    help: "Overhaul of feature distillation: each student stage output goes through a learnt 1×1 convolution and batch norm (a connector) and learns the teacher's map before its ReLU, by a partial L2 distance: where the teacher's value is negative, only a student value above it counts, and below the margin (the mean a negative value of that channel takes, from the batch norm before the teacher's ReLU) none. Deeper stages weigh more. The connectors train with the student and are dropped after. Needs convolutional models and a teacher whose stages end in batch norm and ReLU (ResNet, VGG).",
    loss: "cross-entropy + w·Σ stages 2^−(depth from the last)·partial L2(connector(student), teacher before its ReLU, clipped at the margin)",
    needsTeacher: true,
    teacherLayers: 'pairs',
    families: CONVOLUTIONAL_FAMILIES,
    requires: 'convolutional feature maps in both models',
    options: ofdOptions,
    uses: [],
    paper: 'Heo et al. (2019)',
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
  crd: {
    label: 'CRD',
    summary: "CRD: tell each image's embedding apart from other images', student against teacher",
    help: "The embeddings the two classifiers read are each projected to 128 dimensions and remembered for every training image. Each student embedding learns to pick out the teacher's of the same image from thousands of others drawn from that memory, and each teacher projection the student's: a contrastive bound on their mutual information. Widths need not agree.",
    loss: "cross-entropy + w·(NCE loss of the student against the teacher's memory + of the teacher against the student's)",
    needsTeacher: true,
    teacherLayers: 'embedding',
    families: MODEL_FAMILY_IDS,
    options: crdOptions,
    uses: [],
    paper: 'Tian et al. (2020)',
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

/** KD's options that its soft term reads where a feature or relation method adds it (`kdWeight` above 0). */
const KD_TERM_READS = [
  { method: 'kd', key: 'temperature' },
  { method: 'kd', key: 'warmup' },
] as const satisfies ReadonlyArray<{ method: MethodId; key: keyof typeof kdOptions }>;

/** Whether a method can add Hinton's soft term to its own loss: it has the shared `kdWeight` option (`--kd-weight`). */
export const hasKdTerm = (method: MethodId): boolean => 'kdWeight' in METHOD_CATALOGUE[method].options;

/** The weight of the soft term a method adds to its loss in this configuration: 0 for none, or a method without one. */
export function kdTermWeight(method: MethodId, methodOptions: Partial<Record<MethodId, Record<string, unknown>>>): number {
  const weight = hasKdTerm(method) ? methodOptions[method]?.kdWeight : 0;
  return typeof weight === 'number' ? weight : 0;
}

/**
 * Every option a method can read, its own and those it uses, as [method, key] pairs; a method
 * that can add KD's soft term lists KD's T and warm-up too (the forms and flags offer them).
 */
export const optionsOfMethod = (method: MethodId) => optionRefs(method, hasKdTerm(method));

/**
 * The options a method reads in this configuration: as `optionsOfMethod`, less KD's T and
 * warm-up where its soft term is off (CRD without `--kd-weight` reads no T).
 */
export const optionsInEffect = (method: MethodId, methodOptions: Partial<Record<MethodId, Record<string, unknown>>>) => optionRefs(method, kdTermWeight(method, methodOptions) > 0);

/** A method's own options and those it uses, then KD's that its soft term reads where `withKdTerm`. */
function optionRefs(method: MethodId, withKdTerm: boolean): Array<{ method: MethodId; key: string }> {
  const entry: MethodEntry = METHOD_CATALOGUE[method];
  const used = entry.uses.map((ref) => {
    const [owner, key] = ref.split('.') as [MethodId, string];
    return { method: owner, key };
  });
  // After its own options, so that the forms show the soft term's weight before the T it reads.
  return [...used, ...Object.keys(entry.options).map((key) => ({ method, key })), ...(withKdTerm ? KD_TERM_READS : [])];
}

/** Every method's options at their catalogue defaults, keyed by method (typed in run-config.ts). */
export function methodOptionDefaults(): Record<MethodId, Record<string, unknown>> {
  return Object.fromEntries(METHOD_IDS.map((id) => [id, optionDefaults(METHOD_CATALOGUE[id].options as OptionTable)])) as Record<MethodId, Record<string, unknown>>;
}
