import type { MethodOptions, RunConfig } from '../run-config';
import { methodOptionDefaults } from './methods';
import { optionDefaults } from './options';
import { RUN_SETTINGS } from './run-settings';

/** Every method at its catalogue default, with the given options changed. */
function methodOptions(changes: { [M in keyof MethodOptions]?: Partial<MethodOptions[M]> } = {}): MethodOptions {
  const defaults = methodOptionDefaults() as MethodOptions;
  for (const [method, values] of Object.entries(changes)) Object.assign(defaults[method as keyof MethodOptions], values);
  return defaults;
}

/**
 * quick: about a minute on a 2-core CPU: 10,000 MNIST images, an 800×2 teacher trained
 * with ±2 px jitter (its soft targets carry what the jitter taught it), a 30×2 student without.
 * A sweep of T ∈ {2, 4, 8} × α ∈ {0.5, 0.7, 0.9} on this teacher put T = 4, α = 0.5 at the top.
 * Its general settings are RUN_SETTINGS' defaults. KD's α ramps up over the first epoch, DIST's
 * and DKD's terms over the first 3 (the catalogue's defaults): without a warm-up, KD from lenet5
 * into lenet5@0.5 at this rate stayed at chance on 2 seeds of 5 and DIST on 4; with them every seed
 * trained (KD +0.34 points over the student alone, DIST +0.21, DKD +0.35, means of 5), at a cost of
 * 0.15 points to KD on this MLP pair (+0.80 against +0.95).
 */
const QUICK: RunConfig = {
  ...optionDefaults(RUN_SETTINGS),
  // DKD's published β = 8 (CIFAR ResNets with batch norm) diverges on these MLPs at lr 0.05:
  // 28.9 % on the quick recipe, where β = 1 gives 94.9 % (KD 94.9 %, alone 93.7 %).
  methodOptions: methodOptions({ dkd: { beta: 1 } }),
};

/**
 * The CIFAR recipe of the KD literature (CRD / RepDistiller, mdistiller): 240 epochs, SGD
 * momentum 0.9, weight decay 5e-4, lr 0.05 divided by 10 at epochs 150, 180 and 210, batch 64,
 * random crop with 4-pixel padding and horizontal flip, T = 4, α = 0.9 (DKD: α = 1, β = 8,
 * 20 warm-up epochs). GPU presets.
 */
const CIFAR_RECIPE: RunConfig = {
  ...QUICK,
  epochs: 240,
  teacherEpochs: 240,
  batchSize: 64,
  lr: 0.05,
  schedule: 'step',
  lrMilestones: [150, 180, 210],
  weightDecay: 5e-4,
  teacherJitter: 4,
  studentJitter: 4,
  flip: true,
  limitTrain: null,
  // KD without a warm-up, as published (networks with batch norm).
  methodOptions: methodOptions({ kd: { temperature: 4, alpha: 0.9, warmup: 0 }, dkd: { alpha: 1, beta: 8, warmup: 20 }, dist: { warmup: 0 } }),
};

/**
 * auto: for data the app has never seen. A tenth of the training images is held out, and every
 * choice is made on it: the learning rate is cut ×0.1 whenever validation accuracy has not
 * improved for 3 epochs, the teacher stops 8 epochs after its best (at most 60, its best weights
 * kept), KD's T and α come from a 4 × 3 sweep of short runs (its best 3 then trained on every image), and both students train up to 40
 * epochs on the same schedule, stopping 8 epochs after their best (KD students keep improving
 * after a plain one has levelled off), each keeping its best validation epoch. Without jitter: shifts that suit digits blur other
 * images' details. The rate starts at 0.01, not quick's 0.05: at 0.05 the sweep's cells with a
 * large T·α did not train at all on Fashion-MNIST (5 of 12 for a LeNet-5 pair stayed at chance),
 * so the sweep could only pick T = 1, and a small convnet trained alone started badly.
 * The distilled student then trains again with DIST at the sweep's T, α and start, and the one
 * better on validation is kept: for `mlp-30x2` on Fashion-MNIST DIST led KD there on two seeds of
 * three (by 0.05 and 0.45 points), which three epochs of the sweep cannot show (it trails there).
 * Where the sweep starts the student from the teacher's weights, it is pruned to them in steps
 * that each keep at least half the units (`--selection-steps`), each trained an epoch.
 * Without restarts (`--restarts`): on nine Fashion-MNIST teachers the best of three seeds on
 * validation helped the student alone more than the distilled one (see the README).
 */
const AUTO: RunConfig = {
  ...QUICK,
  lr: 0.01,
  limitTrain: null,
  validationSplit: 0.1,
  schedule: 'plateau',
  plateauPatience: 3,
  teacherEpochs: 60,
  teacherPatience: 8,
  teacherJitter: 0,
  epochs: 40,
  studentPatience: 8,
  sweep: true,
  tryDist: true,
  // When the sweep starts the student from the teacher's weights and it keeps less than half the
  // teacher's units: through widths in between, each cut keeping at least half (800 → 415 → 215 →
  // 112 → 58 → 30 units). On nine Fashion-MNIST teachers the distilled student rose +0.15 points on
  // validation and +0.17 on test on average, for about 10 s more; eight steps tied on validation,
  // and lenet5 → lenet5@0.5 (a cut to half) did better in one cut than in eight steps.
  selectionSteps: 8,
  // No warm-up of KD's or DIST's soft term: at 0.01 every cell of the sweep trains (at quick's
  // 0.05 the warm-up is what lets a LeNet-5 student train), a student that starts from the
  // teacher's weights is not at risk, and every figure of this recipe was measured without it.
  methodOptions: { ...QUICK.methodOptions, kd: { ...QUICK.methodOptions.kd, warmup: 0 }, dist: { ...QUICK.methodOptions.dist, warmup: 0 } },
};

export interface PresetEntry {
  label: string;
  description: string;
  /** Where it is meant to run, and about how long it takes there. */
  time: string;
  config: RunConfig;
}

/** The recipes a person can start from; flags and the app's form override any field. */
export const PRESET_CATALOGUE = {
  quick: {
    label: 'quick',
    description: 'mlp-800x2 → mlp-30x2 on 10,000 MNIST images: a first look in about a minute',
    time: '35–95 s on 2 CPU cores',
    config: QUICK,
  },
  auto: {
    label: 'auto',
    description: "for your own data: a validation split, the teacher trained until it stops improving, T and α found by a sweep, the student distilled with KD and with DIST and the better kept, students trained longer; it reports every choice",
    time: '~15 min for 60,000 small images on 2 CPU cores (MLPs)',
    config: AUTO,
  },
  'hinton-mnist': {
    label: 'Hinton MNIST',
    description: "Hinton, Vinyals & Dean (2015) §3: mlp-1200x2 with dropout and ±2 px jitter → mlp-800x2, all 60,000 images, T = 20",
    time: '80 min on 2 CPU cores',
    // α = 0.5 as the PyTorch reference on the same data found best (α = 0.9 at T = 20 hurt).
    config: {
      ...QUICK,
      teacher: 'mlp-1200x2',
      student: 'mlp-800x2',
      epochs: 60,
      teacherEpochs: 100,
      batchSize: 128,
      lr: 0.1,
      teacherJitter: 2,
      teacherDropout: 0.5,
      limitTrain: null,
      // As the paper, without a warm-up.
      methodOptions: methodOptions({ kd: { temperature: 20, alpha: 0.5, warmup: 0 }, dkd: { beta: 1 }, dist: { warmup: 0 } }),
    },
  },
  // Reference test accuracies are in the README next to each preset.
  'vgg19-vgg11-cifar10': { label: 'VGG-19 → VGG-11, CIFAR-10', description: 'the CIFAR recipe: 240 epochs each', time: 'GPU', config: { ...CIFAR_RECIPE, dataset: 'cifar10', teacher: 'vgg19', student: 'vgg11' } },
  'resnet34-resnet18-cifar10': { label: 'ResNet-34 → ResNet-18, CIFAR-10', description: 'the CIFAR recipe: 240 epochs each', time: 'GPU', config: { ...CIFAR_RECIPE, dataset: 'cifar10', teacher: 'resnet34', student: 'resnet18' } },
  'resnet56-resnet20-cifar100': { label: 'ResNet-56 → ResNet-20, CIFAR-100', description: 'the CIFAR recipe: 240 epochs each', time: 'GPU', config: { ...CIFAR_RECIPE, dataset: 'cifar100', teacher: 'resnet56', student: 'resnet20' } },
} as const satisfies Record<string, PresetEntry>;

export type PresetId = keyof typeof PRESET_CATALOGUE;
export const PRESET_IDS = Object.keys(PRESET_CATALOGUE) as [PresetId, ...PresetId[]];
export const DEFAULT_PRESET: PresetId = 'quick';
/**
 * The app's recipe for a dataset other than MNIST, where `quick` was tuned: `auto` makes its
 * choices (T, α, the start, the epochs) on a validation split of the data itself.
 */
export const OWN_DATA_PRESET: PresetId = 'auto';

/** What OWN_DATA_PRESET does for a dataset other than MNIST: the app says it when it switches the form, the CLI when its default stays. */
export function ownDataPresetChoice(): string {
  const own = PRESET_CATALOGUE[OWN_DATA_PRESET];
  return `${own.label} makes its choices on a validation split of your data (${own.time})`;
}

/** A preset's full configuration, as a fresh copy the caller may change. */
export function presetConfig(id: PresetId): RunConfig {
  return structuredClone(PRESET_CATALOGUE[id].config);
}
