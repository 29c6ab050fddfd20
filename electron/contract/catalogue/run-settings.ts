import { METHOD_IDS } from './methods';
import { booleanOption, choiceOption, integerListOption, integerOption, nullableIntegerOption, numberListOption, numberOption, stringOption, textOption, type AnyOption, type OptionNeeds, type OptionTable } from './options';

export const BACKEND_CATALOGUE = {
  auto: { label: 'auto', help: 'the fastest backend available: tensorflow, webgpu (hardware adapters), wasm, cpu' },
  cpu: { label: 'CPU (JavaScript)', help: "TensorFlow.js's plain JavaScript backend: slow, always there" },
  wasm: { label: 'WebAssembly', help: 'XNNPACK in WebAssembly with SIMD, with this project\'s kernels' },
  webgpu: { label: 'WebGPU', help: 'the GPU through Dawn (the webgpu package)' },
  tensorflow: { label: 'TensorFlow (native)', help: 'libtensorflow through @tensorflow/tfjs-node-gpu or tfjs-node, when installed' },
} as const;
export type BackendRequestId = keyof typeof BACKEND_CATALOGUE;
export const BACKEND_IDS = Object.keys(BACKEND_CATALOGUE) as [BackendRequestId, ...BackendRequestId[]];

/** The sweep's own settings act only when it runs. */
const UNDER_SWEEP = { setting: 'sweep', value: true } as const;

/**
 * The settings of a run besides the methods' own options: data, models, the training recipe,
 * augmentation and where it runs. Their defaults are the `quick` preset's (see presets.ts).
 */
export const RUN_SETTINGS = {
  dataset: stringOption({ label: 'dataset', help: 'mnist (bundled), cifar10, cifar100, fashion-mnist (after `distill datasets download`) or a path', flag: 'dataset', valueName: 'mnist|cifar10|cifar100|fashion-mnist|PATH', default: 'mnist' }),
  imageSize: integerOption({ label: 'image size (px)', help: 'image folders and Parquet datasets are resized to this many pixels square', flag: 'image-size', valueName: 'PX', default: 32, min: 8, max: 512 }),
  teacher: stringOption({ label: 'teacher', help: 'a model name (`distill models`), a TensorFlow.js model folder, an .onnx file, or an earlier run folder (its teacher, fed as that run declared it)', flag: 'teacher', valueName: 'NAME|FOLDER|FILE.onnx', default: 'mlp-800x2' }),
  // Hinton et al.'s own case: the knowledge of an ensemble, distilled into one model. Averaged
  // logits are the normalised geometric mean of the members' probabilities, at any temperature.
  ensemble: integerOption({ label: 'teachers in the ensemble', help: "train this many teachers of --teacher's architecture, each with its own seed (S, S+1, …), and teach the student the average of their logits: one teacher made of several, for the methods that read a teacher's outputs (1: one teacher)", flag: 'ensemble', valueName: 'N', default: 1, min: 1, max: 10 }),
  student: stringOption({ label: 'student', help: 'a model name (`distill models`)', flag: 'student', valueName: 'NAME', default: 'mlp-30x2' }),
  method: choiceOption({ label: 'distillation method', help: 'the distillation method (baseline: the student alone)', flag: 'method', choices: METHOD_IDS, default: 'kd' }),
  teacherInputRange: choiceOption({ label: "an imported teacher's pixel range", help: 'the value range an imported teacher (ONNX, GraphModel, a LayersModel from elsewhere) expects its pixels in: 0-1 (pixels / 255, as this app trains) or 0-255', flag: 'teacher-input-range', choices: ['0-1', '0-255'], default: '0-1' }),
  teacherNormalization: choiceOption({ label: "an imported teacher's normalisation", help: "what an imported teacher expects after scaling: the dataset's per-channel mean/std (as this app trains), none, ImageNet's mean/std (torchvision's), or custom (--teacher-mean-std)", flag: 'teacher-normalization', choices: ['dataset', 'none', 'imagenet', 'custom'], default: 'dataset' }),
  teacherMeanStd: textOption({ label: "an imported teacher's mean / std", help: 'the per-channel mean and std the teacher was trained with, in its pixel range (one value, or one per channel)', flag: 'teacher-mean-std', valueName: 'M[,M,M]/S[,S,S]', default: null, pattern: /^-?\d*\.?\d+(,-?\d*\.?\d+)*\/\d*\.?\d+(,\d*\.?\d+)*$/, expected: 'mean/std, such as 0.1307/0.3081 or 0.5,0.5,0.5/0.25,0.25,0.25', needs: { setting: 'teacherNormalization', value: 'custom' } }),
  teacherResize: booleanOption({ label: "resize images to an imported teacher's input", help: "resize images (bilinear) to the size an imported teacher takes, and repeat grey into its colour channels (or average colour into grey)", flag: 'teacher-resize', default: false }),
  initFromTeacher: booleanOption({ label: "start the student from the teacher's weights (its strongest units, or layers of the same shape)", help: "start the student from the teacher's weights: a narrower copy of the teacher (mlp-800x2 → mlp-30x2, lenet5 → lenet5@0.5, resnet20 → resnet20@0.5) takes its strongest units and channels (weight selection), other pairs copy layers whose shapes match", flag: 'init-from-teacher', default: false }),
  // 800 → 30 units in one cut keeps little of the teacher; four cuts of about half, each trained an
  // epoch, started DIST at 50–72 % on validation instead of 12–19 % (Fashion-MNIST, mlp-800x2 → mlp-30x2).
  selectionSteps: integerOption({ label: 'weight selection: most steps in between', help: "when the student starts as the teacher pruned to its strongest units (weight selection) and keeps less than half of them: prune through widths in between (geometric, each cut keeping at least half, at most this many), each trained one epoch with the student's method, and select the student from the last (0: one cut)", flag: 'selection-steps', valueName: 'N', default: 0, min: 0, max: 8, needs: { anyOn: ['initFromTeacher', 'sweepFromTeacher'] } }),
  teacherEpochs: integerOption({ label: 'teacher epochs', help: 'epochs of teacher training (a saved or imported teacher is loaded instead)', flag: 'teacher-epochs', basic: true, default: 8, min: 0, max: 10000 }),
  epochs: integerOption({ label: 'student epochs', help: 'epochs of student training, for each student', flag: 'epochs', basic: true, default: 5, min: 1, max: 10000 }),
  batchSize: integerOption({ label: 'batch size', help: 'images per training step', flag: 'batch-size', valueName: 'B', basic: true, default: 64, min: 1, max: 65536 }),
  lr: numberOption({ label: 'learning rate', help: 'the initial learning rate', flag: 'lr', valueName: 'LR', basic: true, default: 0.05, min: 0, exclusiveMin: true, max: 100, ui: { min: 0.0001, max: 1, step: 0.001 } }),
  optimizer: choiceOption({ label: 'optimizer', help: 'SGD with momentum, or Adam', flag: 'optimizer', choices: ['sgd', 'adam'], default: 'sgd' }),
  momentum: numberOption({ label: 'momentum', help: "SGD's momentum", flag: 'momentum', valueName: 'M', default: 0.9, min: 0, max: 0.9999, needs: { setting: 'optimizer', value: 'sgd' } }),
  schedule: choiceOption({ label: 'learning-rate schedule', help: 'constant, step (×0.1 at each milestone), cosine, or plateau (×0.1 whenever the validation accuracy has not improved for --plateau-patience epochs; needs a validation split)', flag: 'schedule', choices: ['constant', 'step', 'cosine', 'plateau'], default: 'cosine' }),
  plateauPatience: integerOption({ label: 'plateau patience (epochs)', help: 'plateau schedule: epochs without a better validation accuracy before the rate is cut ×0.1', flag: 'plateau-patience', valueName: 'EPOCHS', default: 3, min: 1, max: 100, needs: { setting: 'schedule', value: 'plateau' } }),
  lrMilestones: integerListOption({ label: 'milestones', help: 'step schedule: multiply the rate by 0.1 once each of these numbers of epochs is done (150 acts from the 151st epoch, as PyTorch\'s MultiStepLR)', flag: 'milestones', valueName: 'E1,E2,…', default: [], min: 1, needs: { setting: 'schedule', value: 'step' } }),
  weightDecay: numberOption({ label: 'weight decay', help: 'L2 weight decay', flag: 'weight-decay', valueName: 'WD', default: 0, min: 0, max: 1, ui: { min: 0, max: 0.01, step: 0.0001 } }),
  teacherJitter: integerOption({ label: 'teacher jitter (px)', help: 'random shifts of up to this many pixels while the teacher trains (Hinton et al. used 2)', flag: 'teacher-jitter', valueName: 'PX', basic: true, default: 2, min: 0, max: 8 }),
  studentJitter: integerOption({ label: 'student jitter (px)', help: 'random shifts of up to this many pixels while students train', flag: 'student-jitter', valueName: 'PX', default: 0, min: 0, max: 8 }),
  // An MLP has no translation invariance: on Fashion-MNIST an 800×2 teacher (auto) reached 90.52 %
  // with half its images shifted by up to 2 px, 89.19 % with all of them, 90.03 % with none.
  jitterShare: numberOption({ label: 'share of images jittered', help: 'the share of training images that teacher and student jitter shift, drawn afresh each time an image is used; the rest are seen as they are', flag: 'jitter-share', valueName: 'P', default: 1, min: 0, max: 1, ui: { min: 0, max: 1, step: 0.05 }, needs: { anyOf: ['teacherJitter', 'studentJitter'], above: 0 } }),
  flip: booleanOption({ label: 'random horizontal flips', help: 'mirror training images left–right at random (the CIFAR recipe), for teacher and student', flag: 'flip', default: false }),
  teacherDropout: numberOption({ label: 'teacher dropout', help: 'dropout on hidden layers of the teacher (MLPs: 0.2 on the inputs too)', flag: 'teacher-dropout', valueName: 'P', default: 0, min: 0, max: 0.95 }),
  studentDropout: numberOption({ label: 'student dropout', help: 'dropout on hidden layers of the students', flag: 'student-dropout', valueName: 'P', default: 0, min: 0, max: 0.95 }),
  trainBaseline: booleanOption({ label: 'also train the student alone, for the comparison', help: 'skip the same student trained alone (then there is no gain to report)', flag: 'no-baseline', negated: true, basic: true, default: true }),
  limitTrain: nullableIntegerOption({ label: 'training images (empty: all)', help: 'use only the first N training images', flag: 'limit-train', basic: true, default: 10000, min: 1, max: 1e9, nullMeans: 'all' }),
  limitTest: nullableIntegerOption({ label: 'test images (empty: all)', help: 'evaluate on only the first N test images', flag: 'limit-test', default: null, min: 1, max: 1e9, nullMeans: 'all' }),
  validationSplit: numberOption({ label: 'validation split', help: 'share of the training images held out to choose on (each model keeps its best epoch; early stopping; the T × α sweep): the test split is never used for a choice. A dataset with a validation split of its own (a val/ folder beside train/ and test/, FER2013\'s PublicTest rows) is chosen on instead, whatever the share', flag: 'validation-split', valueName: 'FRACTION', default: 0, min: 0, max: 0.5, ui: { min: 0, max: 0.5, step: 0.05 } }),
  teacherPatience: nullableIntegerOption({ label: 'teacher early stopping (epochs)', help: 'with a validation split: stop training the teacher after this many epochs without a better validation accuracy (--teacher-epochs is then the most it trains)', flag: 'teacher-patience', valueName: 'EPOCHS', default: null, min: 1, max: 1000, nullMeans: 'off' }),
  studentPatience: nullableIntegerOption({ label: 'student early stopping (epochs)', help: 'with a validation split: stop training each student after this many epochs without a better validation accuracy (--epochs is then the most it trains)', flag: 'student-patience', valueName: 'EPOCHS', default: null, min: 1, max: 1000, nullMeans: 'off' }),
  sweep: booleanOption({ label: 'find T and α on the validation split first', help: 'before the students train: a short KD run for every cell of --sweep-temperatures × --sweep-alphas, scored on the validation split; the best cell is used', flag: 'sweep', default: false }),
  sweepTemperatures: numberListOption({ label: 'sweep: temperatures', help: 'the T values the sweep tries', flag: 'sweep-temperatures', valueName: 'T1,T2,…', default: [1, 2, 4, 8], min: 0.1, max: 100, needs: UNDER_SWEEP }),
  sweepAlphas: numberListOption({ label: 'sweep: α values', help: 'the α values the sweep tries (the weight of the soft-target term)', flag: 'sweep-alphas', valueName: 'A1,A2,…', default: [0.3, 0.6, 0.9], min: 0, max: 1, needs: UNDER_SWEEP }),
  sweepEpochs: integerOption({ label: 'sweep: epochs per cell', help: 'epochs of each short KD run of the sweep', flag: 'sweep-epochs', valueName: 'E', default: 3, min: 1, max: 100, needs: UNDER_SWEEP }),
  sweepImages: nullableIntegerOption({ label: 'sweep: training images per cell', help: 'each short run of the sweep trains on this many training images (the first ones)', flag: 'sweep-images', valueName: 'N', default: 10000, min: 100, max: 1e9, nullMeans: 'all', needs: UNDER_SWEEP }),
  // Successive halving (Jamieson & Talwalkar, 2016): on 10,000 images the grid's top cells lie within
  // a few tenths of a point, and for a LeNet-5 on Fashion-MNIST its first pick (T = 8) lost 0.2
  // points where the runner-up (T = 2), first on every image, gained 0.9.
  sweepFinalists: integerOption({ label: 'sweep: finalists trained on every image', help: 'the sweep\'s best N cells train again, the same epochs, on every training image, and the best of them is chosen (0 or 1: the short round alone chooses)', flag: 'sweep-finalists', valueName: 'N', default: 3, min: 0, max: 100, needs: UNDER_SWEEP }),
  sweepFromTeacher: booleanOption({ label: "sweep: also try the teacher's weights as the student's start", help: "keep the sweep to random starts (by default its best finalist trains once more from the teacher's weights, where the teacher can seed the student, and the run starts its distilled student from them when that wins on the validation split)", flag: 'no-sweep-from-teacher', negated: true, default: true, needs: UNDER_SWEEP }),
  // Three epochs, the sweep's length, favour KD: on Fashion-MNIST DIST from the teacher's weights
  // trailed KD by 0.7 points on validation at epoch 3; at each one's best epoch it led by 0.05 and
  // 0.45 points on seeds 1 and 2 and trailed by 0.07 on seed 3.
  tryDist: booleanOption({ label: 'also distil with DIST, keep the better', help: "after the distilled student trains with KD, train it again with DIST at the same α and start (and T, at most 2), and keep the one more accurate on the validation split (needs --validation-split)", flag: 'try-dist', default: false }),
  // One student's test accuracy varies by a few tenths of a point from seed to seed (Fashion-MNIST,
  // mlp-30x2 alone: 87.6–88.6 % over eight seeds); the mean over the seeds says what a run's gain owes to them.
  restarts: integerOption({ label: 'restarts per student', help: 'train the distilled student and the student alone each with this many seeds (S, S+1, …), keep each one\'s best on the validation split, and report what the seeds averaged and their mean gain (needs --validation-split)', flag: 'restarts', valueName: 'N', default: 1, min: 1, max: 10 }),
  seed: integerOption({ label: 'seed', help: 'seeds weights, data order and augmentation', flag: 'seed', valueName: 'S', default: 1, min: 0, max: 2 ** 31 - 1 }),
  backend: choiceOption({ label: 'backend', help: 'where tensors are computed', flag: 'backend', choices: BACKEND_IDS, default: 'auto' }),
  compiledStep: booleanOption({ label: 'replay a recorded training step (WebGPU)', help: 'on webgpu, run every training step through tfjs instead of recording one step and replaying it with new data (one submit per step, none of tfjs\'s per-kernel host work); slower, the same arithmetic', flag: 'eager-steps', negated: true, default: true, needs: { setting: 'backend', value: ['webgpu', 'auto'] } }),
  threads: nullableIntegerOption({ label: 'CPU threads (empty: all cores)', help: 'threads the wasm backend computes on (XNNPACK\'s pool; at most 8)', flag: 'threads', valueName: 'N', default: null, min: 1, max: 8, nullMeans: 'all cores', needs: { setting: 'backend', value: ['wasm', 'auto'] } }),
} satisfies OptionTable;

export type RunSettingKey = keyof typeof RUN_SETTINGS;

/** Settings that shape only the teacher's training: a saved or imported teacher is loaded instead, so they change nothing then. */
export const TEACHER_TRAINING_SETTINGS: readonly RunSettingKey[] = ['ensemble', 'teacherEpochs', 'teacherJitter', 'teacherDropout', 'teacherPatience'];

/** How a saved or imported teacher takes its images: a teacher trained here is fed as this app feeds its own models, so they change nothing then. */
export const TEACHER_INPUT_SETTINGS: readonly RunSettingKey[] = ['teacherInputRange', 'teacherNormalization', 'teacherMeanStd', 'teacherResize'];

/**
 * The run settings by what they shape, in the order the app's "more settings" and `distill help`
 * show them (each setting in exactly one group: tests/unit/catalogue.test.ts).
 */
export const RUN_SETTING_GROUPS: ReadonlyArray<{ id: string; label: string; keys: readonly RunSettingKey[] }> = [
  { id: 'data', label: 'Data', keys: ['dataset', 'imageSize', 'limitTrain', 'limitTest', 'validationSplit'] },
  { id: 'models', label: 'Models and method', keys: ['teacher', 'ensemble', 'student', 'method', 'initFromTeacher', 'selectionSteps'] },
  { id: 'teacher-input', label: "An imported teacher's input", keys: TEACHER_INPUT_SETTINGS },
  { id: 'training', label: 'Training', keys: ['teacherEpochs', 'epochs', 'batchSize', 'lr', 'optimizer', 'momentum', 'weightDecay', 'schedule', 'plateauPatience', 'lrMilestones', 'teacherPatience', 'studentPatience'] },
  { id: 'augmentation', label: 'Augmentation and dropout', keys: ['teacherJitter', 'studentJitter', 'jitterShare', 'flip', 'teacherDropout', 'studentDropout'] },
  { id: 'sweep', label: 'Finding T and α (the sweep)', keys: ['sweep', 'sweepTemperatures', 'sweepAlphas', 'sweepEpochs', 'sweepImages', 'sweepFinalists', 'sweepFromTeacher'] },
  { id: 'comparison', label: 'Comparison and seeds', keys: ['trainBaseline', 'tryDist', 'restarts', 'seed'] },
  { id: 'compute', label: 'Compute', keys: ['backend', 'threads', 'compiledStep'] },
];

/** The teacher settings that change nothing in a run: its training settings when it is loaded (saved or imported), how to feed it when it is trained here. */
export const idleTeacherSettings = (loaded: boolean): readonly RunSettingKey[] => (loaded ? TEACHER_TRAINING_SETTINGS : TEACHER_INPUT_SETTINGS);

const flagOf = (key: string) => `--${(RUN_SETTINGS as OptionTable)[key]?.flag ?? key}`;
const labelOf = (key: string) => (RUN_SETTINGS as OptionTable)[key]?.label ?? key;

/** The settings a `needs` reads: the one it names, or each of its `anyOf` or `anyOn`. */
export const settingsNeeded = (needs: OptionNeeds): readonly string[] => ('anyOf' in needs ? needs.anyOf : 'anyOn' in needs ? needs.anyOn : [needs.setting]);

/** The settings that act under `setting` (the sweep's grid under `sweep`). */
export const optionsUnder = (setting: RunSettingKey): AnyOption[] => (Object.values(RUN_SETTINGS) as AnyOption[]).filter((o) => o.needs && settingsNeeded(o.needs).includes(setting));

/**
 * The flags that give what a setting acts under (its `needs`): `--sweep`, `--schedule plateau`,
 * `--teacher-jitter or --student-jitter above 0`, `--init-from-teacher, or --sweep without
 * --no-sweep-from-teacher`.
 */
export function neededFlag(needs: OptionNeeds): string {
  if ('anyOf' in needs) return `${needs.anyOf.map(flagOf).join(' or ')} above ${needs.above}`;
  if ('anyOn' in needs) return needs.anyOn.map(switchedOn).join(', or ');
  return needs.value === true ? flagOf(needs.setting) : `${flagOf(needs.setting)} ${valuesText(needs.value)}`;
}

/** The flags that turn a switch on, with what it acts under: `--init-from-teacher`, `--sweep without --no-sweep-from-teacher`. */
function switchedOn(key: string): string {
  const option = (RUN_SETTINGS as OptionTable)[key];
  const under = option?.needs ? neededFlag(option.needs) : null;
  if (option?.kind === 'boolean' && option.negated) return `${under ?? ''} without ${flagOf(key)}`.trim();
  return under ? `${flagOf(key)} with ${under}` : flagOf(key);
}

const valuesText = (value: string | boolean | readonly string[]) => (typeof value === 'object' ? value.join(' or ') : String(value));
/** Whether `value` is what a `needs` asks of its setting: the value, or one of the values. */
export const isNeededValue = (needed: string | boolean | readonly string[], value: unknown) => (typeof needed === 'object' ? needed.includes(value as string) : value === needed);

/**
 * Whether a setting acts under the given values: it needs nothing, or what it needs is set and
 * acts itself (the sweep's grid while the sweep is on; weight selection's steps while the sweep's
 * teacher start is on and so is the sweep). `idle` settings count as unset: a saved teacher's
 * training settings, as that teacher is loaded rather than trained.
 */
export function needsMet(option: AnyOption, config: Readonly<Record<string, unknown>>, idle: readonly string[] = []): boolean {
  const { needs } = option;
  if (!needs) return true;
  const acts = (key: string) => !idle.includes(key) && needsMet((RUN_SETTINGS as OptionTable)[key]!, config, idle);
  if ('anyOf' in needs) return needs.anyOf.some((key) => acts(key) && typeof config[key] === 'number' && config[key] > needs.above);
  if ('anyOn' in needs) return needs.anyOn.some((key) => acts(key) && config[key] === true);
  return acts(needs.setting) && isNeededValue(needs.value, config[needs.setting]);
}

/** What a setting acts under, in the app's words: "acts only with “find T and α on the validation split first” on", "acts only with learning-rate schedule plateau". */
export function describeNeeds(needs: OptionNeeds): string {
  if ('anyOf' in needs) return `acts only with ${needs.anyOf.map(labelOf).join(' or ')} above ${needs.above}`;
  if ('anyOn' in needs) return `acts only with ${needs.anyOn.map((key) => `“${labelOf(key)}”`).join(' or ')} on`;
  return needs.value === true ? `acts only with “${labelOf(needs.setting)}” on` : `acts only with ${labelOf(needs.setting)} ${valuesText(needs.value)}`;
}
