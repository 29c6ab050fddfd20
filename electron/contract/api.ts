import { z } from 'zod';
import { BackendInfoSchema, ModelReportSchema, RunEventSchema, RunResultSchema, RunStatusSchema, StudyResultSchema } from './events';
import { DOWNLOADABLE_DATASET_IDS, EXPORT_FORMAT_IDS, RUN_SETTINGS, STUDY_ENTRY_PATTERN, STUDY_SEEDS } from './catalogue';
import { BackendRequestSchema, PresetNameSchema, RunConfigSchema, RunRequestSchema } from './run-config';

/**
 * The Distill Studio service: one request and one response schema per operation. Main,
 * preload, worker, server and renderer all derive their types from this object, and every
 * boundary validates against it (VS Code's ProxyChannel idea: a service, not strings).
 */

/** A run folder's name: letters, digits, `_`, `.` and `-`, never `.`/`..` or a path. */
export const RunIdSchema = z.string().regex(/^(?!.*\.\.)[A-Za-z0-9][\w.-]{0,79}$/, 'not a run id');
const RunId = RunIdSchema;
/** Image shapes the app builds models for: up to 1024 pixels a side, 1 to 4 channels. */
const Shape = z.tuple([z.number().int().min(1).max(1024), z.number().int().min(1).max(1024), z.number().int().min(1).max(4)]);

/** An architecture as typed: `mlp-100x2`, `resnet20@0.25` (the engine says whether it knows it). */
export const ModelNameSchema = z.string().regex(/^[a-z][a-z0-9-]*(@\d+(\.\d+)?)?$/, 'not a model name, such as mlp-100x2 or resnet20@0.25').max(40);

export const ModelInfoSchema = z.object({
  name: z.string(),
  family: z.string(),
  description: z.string(),
  params: z.number().int(),
  bytes: z.number().int(),
  macs: z.number().int(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

/** A teacher a person brought (an .onnx file, a TensorFlow.js LayersModel or GraphModel folder), ready to name in a run. */
export const TeacherViewSchema = z.object({
  /** What to pass as `teacher` in a run: `upload:<id>` over HTTP, the folder's path in the desktop app. */
  teacher: z.string(),
  name: z.string(),
  /** `ONNX`, `TensorFlow.js GraphModel`, `TensorFlow.js LayersModel`. */
  format: z.string(),
  /** What runs it: `onnxruntime-node (cpu), NCHW input`. */
  runtime: z.string(),
  /** Its own class names, when it carries them (then matched to the dataset's by name). */
  classNames: z.array(z.string()).nullable(),
  params: z.number().int(),
  bytes: z.number().int(),
  inputShape: z.array(z.number().int().nullable()),
  classes: z.number().int(),
  /** From its metadata when it has Distill Studio's; otherwise found out when a run starts. */
  output: z.enum(['logits', 'probabilities', 'unknown']),
  /** Its inner tensors, what its nodes (or layers) make with the operator of each (the first 500): the teacher's side of FitNets' and attention transfer's feature pairs. */
  tensors: z.array(z.object({ name: z.string(), op: z.string() })).optional(),
});
export type TeacherView = z.infer<typeof TeacherViewSchema>;

/** A few images per class, as base64 uint8 pixels (h × w × c each), for the sample grid. */
export const DatasetSampleSchema = z.object({ label: z.number().int(), index: z.number().int(), pixels: z.string() });

/** How an imported teacher is fed: the catalogue's teacher declarations, as a run stores them. */
export const TeacherDeclarationSchema = z
  .object({
    teacherInputRange: RUN_SETTINGS.teacherInputRange.schema,
    teacherNormalization: RUN_SETTINGS.teacherNormalization.schema,
    teacherMeanStd: RUN_SETTINGS.teacherMeanStd.schema,
    teacherResize: RUN_SETTINGS.teacherResize.schema,
  })
  .strict();
export type TeacherDeclaration = z.infer<typeof TeacherDeclarationSchema>;

/** An inner tensor of a teacher: its name, and its shape per image, channels last. */
const FeatureTensorSchema = z.object({ name: z.string(), shape: z.array(z.number().int()) });

/** An imported teacher tried on a dataset's test images before distilling (`checkTeacher`). */
export const TeacherCheckSchema = z.object({
  name: z.string(),
  format: z.string(),
  runtime: z.string(),
  /** How its images were prepared, in words. */
  fed: z.string(),
  byName: z.boolean(),
  mappingText: z.string(),
  /** For each dataset class, the teacher output it reads (and the teacher's name for it). */
  mapping: z.array(z.object({ className: z.string(), output: z.number().int(), teacherName: z.string().nullable() })),
  images: z.number().int(),
  accuracy: z.number(),
  chance: z.number(),
  /** No better than guessing: the declaration or the class order is probably wrong. */
  atChance: z.boolean(),
  probabilities: z.boolean(),
  shape: Shape,
  classNames: z.array(z.string()),
  samples: z.array(DatasetSampleSchema.extend({ predicted: z.number().int(), confidence: z.number() })),
  /** Its stages, where FitNets and attention transfer read it when no pairs are named: the last map of each spatial size, and its hidden vectors; null where its inner tensors could not be run. */
  stages: z.object({ maps: z.array(FeatureTensorSchema), vectors: z.array(FeatureTensorSchema), tokens: z.array(FeatureTensorSchema).optional() }).nullable(),
});
export type TeacherCheck = z.infer<typeof TeacherCheckSchema>;

export const DatasetViewSchema = z.object({
  /** What to pass as `dataset` in a run: `mnist` or a path the service can read. */
  dataset: z.string(),
  name: z.string(),
  format: z.string(),
  classes: z.number().int(),
  classNames: z.array(z.string()),
  train: z.number().int(),
  test: z.number().int(),
  shape: Shape,
  trainClassCounts: z.array(z.number().int()),
  testClassCounts: z.array(z.number().int()),
  /** Images in the dataset's own validation split (FER2013's PublicTest, a val/ folder), which a run with a validation split chooses on; absent when it has none. */
  validation: z.number().int().optional(),
  validationClassCounts: z.array(z.number().int()).optional(),
  samples: z.array(DatasetSampleSchema),
});
export type DatasetView = z.infer<typeof DatasetViewSchema>;

/**
 * A person's own words on a run (notes.json in its folder): a short name, one line, that History,
 * the comparison and `distill runs` show beside the id, and free notes. Either may be empty.
 */
export const RunNotesSchema = z
  .object({
    name: z.string().max(80, 'at most 80 characters').regex(/^[^\p{Cc}]*$/u, 'one line, without control characters'),
    note: z.string().max(4000, 'at most 4,000 characters').regex(/^(?:[^\p{Cc}]|[\n\t])*$/u, 'text, without control characters'),
  })
  .strict();
export type RunNotes = z.infer<typeof RunNotesSchema>;

export const RunSummarySchema = z.object({
  runId: RunId,
  /** A study (several methods, one table) or a run: known from its start, finished or not. */
  kind: z.enum(['run', 'study']),
  status: RunStatusSchema,
  error: z.string().optional(),
  updatedAt: z.string(),
  config: RunConfigSchema,
  /**
   * Its teacher was a saved model it loaded (one someone brought, or an earlier run's), not one it
   * trained: then the teacher's input settings acted and its training settings did not. The
   * engine decides it from the architecture names it can build, which a client cannot parse.
   */
  teacherLoaded: z.boolean(),
  result: RunResultSchema.nullable(),
  /** A completed study's table (then result is null). */
  study: StudyResultSchema.nullable(),
  /** Its name and notes, where someone gave them. */
  notes: RunNotesSchema.optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

/**
 * A completed run as `distill` commands that train it again (`commandLineOf`): as it was, and,
 * where it trained its teacher here, on that saved teacher instead of training it again; for a
 * sweep on its own, also the full run with its best cell on its teacher (what `distill sweep`
 * suggests, and the Results' one click trains).
 */
export const RunCommandLinesSchema = z.object({ again: z.string(), onItsTeacher: z.string().nullable(), bestCell: z.string().nullable().optional() });
export type RunCommandLines = z.infer<typeof RunCommandLinesSchema>;

/**
 * A run's settings as the app's form takes them back ("Edit and run again"): its config, with its
 * dataset opened and named as this client names it (null: it cannot be opened here, a server path
 * no upload holds, or gone), its teacher (a model it trained, an earlier run's, one someone brought,
 * or missing), and what it ran (a study's entries and seeds, or a sweep on its own).
 */
export const RunFormSchema = z.object({
  preset: PresetNameSchema,
  config: RunConfigSchema,
  dataset: DatasetViewSchema.nullable(),
  teacher: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('trained') }),
    z.object({ kind: z.literal('run'), runId: RunId }),
    z.object({ kind: z.literal('own'), view: TeacherViewSchema }),
    z.object({ kind: z.literal('missing') }),
  ]),
  study: z.object({ methods: z.array(z.string()), seeds: z.number().int() }).nullable(),
  sweep: z.boolean(),
});
export type RunForm = z.infer<typeof RunFormSchema>;

export const RunDetailSchema = RunSummarySchema.extend({ metrics: z.array(RunEventSchema), commandLines: RunCommandLinesSchema.nullable().optional() });
export type RunDetail = z.infer<typeof RunDetailSchema>;

export const ModelRoleSchema = z.enum(['teacher', 'student', 'baseline']);
export type ModelRole = z.infer<typeof ModelRoleSchema>;

/** One of a study's students, by its method (`kd`, `init+kd`): the explorer and the gallery show that one. */
const StudyStudentField = z.string().regex(/^[a-z]+(\+[a-z]+)?$/, 'not a method').optional();

export const SoftLabelsSchema = z.object({
  index: z.number().int(),
  label: z.number().int(),
  pixels: z.string(),
  shape: Shape,
  classNames: z.array(z.string()),
  /** Raw logits per model present in the run; the renderer softens them at any T itself. */
  logits: z.object({ teacher: z.array(z.number()).nullable(), student: z.array(z.number()).nullable(), baseline: z.array(z.number()).nullable() }),
});
export type SoftLabels = z.infer<typeof SoftLabelsSchema>;

/**
 * A person's own image tried on a run's models, as base64 PNG or JPEG. The app shrinks a photo
 * to at most OWN_IMAGE_MAX_SIDE pixels on its longer side before sending it, which keeps it well
 * inside the server's 1 MiB request limit.
 */
export const OWN_IMAGE_MAX_BASE64 = 900_000;
export const OWN_IMAGE_MAX_SIDE = 384;
/** Where a colour image's window sits unless moved: the middle, as an image folder's images are cut. */
export const OWN_IMAGE_CROP_MIDDLE = 0.5;
export const OwnImageRequestSchema = z.object({
  runId: RunId,
  method: StudyStudentField,
  image: z.string().min(1, 'no image').max(OWN_IMAGE_MAX_BASE64, `an image takes at most ${OWN_IMAGE_MAX_BASE64} base64 characters`).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'not base64'),
  /** The file's name, for errors. */
  name: z.string().max(200).optional(),
  /**
   * Where the window that fills a colour dataset's square frame sits along the side of the image
   * that is cut: 0 the left (or top) edge, 1 the right (or bottom); the middle when left out, as
   * an image folder's images are cut. Refused for a greyscale dataset, whose images are cropped to
   * their content.
   */
  cropAt: z.number().min(0).max(1).optional(),
}).strict();

/** That image as the run's models saw it (the dataset's size and channels), with their logits. */
export const ImageSoftLabelsSchema = SoftLabelsSchema.omit({ index: true, label: true }).extend({
  /** Inverted (dark on light made light on dark, or the reverse) to match the dataset's images. */
  inverted: z.boolean(),
  /** The side of a colour image cut to fill the frame (where `cropAt` moves the window); null when none was. */
  cut: z.enum(['width', 'height']).nullable(),
});
export type ImageSoftLabels = z.infer<typeof ImageSoftLabelsSchema>;

const TopSchema = z.array(z.object({ classIndex: z.number().int(), probability: z.number() })).nullable();

/** The mistakes gallery: test images grouped by which of the run's models got them right. */
export const MistakesSchema = z.object({
  shape: Shape,
  classNames: z.array(z.string()),
  images: z.number().int(),
  groups: z.array(
    z.object({
      id: z.enum(['kd-fixed', 'kd-broke', 'teacher-only', 'all-wrong']),
      label: z.string(),
      count: z.number().int(),
      samples: z.array(z.object({ index: z.number().int(), label: z.number().int(), pixels: z.string(), top: z.object({ teacher: TopSchema, student: TopSchema, baseline: TopSchema }) })),
    }),
  ),
});
export type Mistakes = z.infer<typeof MistakesSchema>;

/** Files a browser uploaded to /api/upload under this id. */
export const UploadIdSchema = z.string().regex(/^[a-f0-9]{16}$/, 'not an upload id');
export const DatasetSourceSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('upload'), uploadId: UploadIdSchema }).strict()]);

const Empty = z.object({}).strict();

export const ExportFormatSchema = z.enum(EXPORT_FORMAT_IDS);
/** Which of a study's students (its row: `kd`, `init+kd`, `baseline`, …); runs have one student and leave it out. */
export const StudyEntrySchema = z.string().regex(STUDY_ENTRY_PATTERN, 'a study method: kd, dkd, …, baseline, init+<method>, or <method>+kd');
export const ExportRequestSchema = z.object({ runId: RunId, role: ModelRoleSchema, format: ExportFormatSchema.default('tfjs'), method: StudyEntrySchema.optional() }).strict();
export type ExportRequest = z.input<typeof ExportRequestSchema>;
export const ExportResultSchema = z.object({
  /** The export's file or folder name. */
  fileName: z.string(),
  /** Where it was written (desktop host), or null. */
  savedTo: z.string().nullable(),
  /** Where a browser fetches it (`distill serve`), or null. */
  downloadUrl: z.string().nullable(),
});
export type ExportResult = z.infer<typeof ExportResultSchema>;
/**
 * Where an export is: writing the format's files, checking the written model's accuracy on the
 * run's test images (done/total images), packaging it as a zip for a browser download.
 */
export const ExportProgressSchema = z.object({ stage: z.enum(['writing', 'checking', 'packaging']), done: z.number().int().min(0), total: z.number().int().min(0) });
export type ExportProgress = z.infer<typeof ExportProgressSchema>;

export const API = {
  appInfo: {
    request: Empty,
    response: z.object({ version: z.string(), host: z.enum(['electron', 'server']), backends: z.array(z.object({ name: BackendRequestSchema, ok: z.boolean(), detail: z.string() })), auto: BackendRequestSchema.exclude(['auto']), cores: z.number().int().positive(), runsDir: z.string() }),
  },
  /**
   * Sizes of every named architecture for a dataset's shape (image folders are resized to at most
   * 512 px), then of `names`: architectures a picker typed (resnet20@0.25, mlp-100x2), each checked.
   */
  listModels: {
    request: z.object({
      shape: z.tuple([z.number().int().min(1).max(512), z.number().int().min(1).max(512), z.number().int().min(1).max(4)]),
      classes: z.number().int().min(2).max(1000),
      names: z.array(ModelNameSchema).max(4).optional(),
    }).strict(),
    response: z.array(ModelInfoSchema),
  },
  inspectDataset: { request: z.object({ dataset: z.string().min(1), imageSize: RUN_SETTINGS.imageSize.schema.optional() }).strict(), response: DatasetViewSchema },
  /** Fetches a catalogue dataset into the cache (progress as download-progress events), then inspects it. */
  downloadDataset: { request: z.object({ name: z.enum(DOWNLOADABLE_DATASET_IDS) }).strict(), response: DatasetViewSchema },
  /** Stops a download in progress (what it fetched stays in the cache; the next download resumes). */
  cancelDownload: { request: z.object({ name: z.enum(DOWNLOADABLE_DATASET_IDS) }).strict(), response: z.object({ cancelled: z.boolean() }) },
  importDataset: { request: z.object({ source: DatasetSourceSchema }).strict(), response: DatasetViewSchema },
  /** A teacher uploaded as a folder (model.json and its weights), checked to load. */
  importTeacher: { request: z.object({ source: DatasetSourceSchema }).strict(), response: TeacherViewSchema },
  /** Earlier runs' teachers joined into one that averages their logits (`distill ensemble`), ready to name in a run as an imported teacher is. */
  ensembleTeachers: { request: z.object({ runIds: z.array(RunId).min(2).max(RUN_SETTINGS.ensemble.max) }).strict(), response: TeacherViewSchema },
  /** An imported teacher (as `teacher` names it in a run) tried on a dataset's test images, fed as declared. */
  checkTeacher: { request: z.object({ teacher: z.string().min(1), dataset: z.string().min(1), imageSize: RUN_SETTINGS.imageSize.schema.optional(), declaration: TeacherDeclarationSchema }).strict(), response: TeacherCheckSchema },
  startRun: { request: RunRequestSchema, response: z.object({ runId: RunId, config: RunConfigSchema }) },
  /** Several methods on one teacher: `methods` as `distill study --methods` takes them. */
  startStudy: { request: RunRequestSchema.extend({ methods: z.string().regex(/^[\w+]+(,[\w+]+)*$/, 'expected method,method,…'), seeds: STUDY_SEEDS.schema.optional() }), response: z.object({ runId: RunId, config: RunConfigSchema }) },
  /**
   * A finished run's distilled student and the student alone trained again over `seeds` seeds on
   * the run's own teacher, data and recipe (`distill study --from-run`): the run's config names
   * them, so no client sends a path. `methods` are the study's entries, for its lanes.
   */
  startStudyOfRun: { request: z.object({ runId: RunId, seeds: STUDY_SEEDS.schema }).strict(), response: z.object({ runId: RunId, config: RunConfigSchema, methods: z.array(StudyEntrySchema) }) },
  /** "Find T and α for me": the teacher, then a T × α sweep of short KD runs on a validation split (sweep-cell events). */
  startSweep: { request: RunRequestSchema, response: z.object({ runId: RunId, config: RunConfigSchema }) },
  /** Continues a failed or cancelled run from its last checkpoints (its id stays the same). */
  resumeRun: { request: z.object({ runId: RunId }).strict(), response: z.object({ runId: RunId, config: RunConfigSchema }) },
  cancelRun: { request: z.object({ runId: RunId }).strict(), response: z.object({ cancelled: z.boolean() }) },
  listRuns: { request: Empty, response: z.array(RunSummarySchema) },
  getRun: { request: z.object({ runId: RunId }).strict(), response: RunDetailSchema },
  deleteRun: { request: z.object({ runId: RunId }).strict(), response: z.object({ deleted: z.boolean() }) },
  /** A run's settings for the form ("Edit and run again"): its dataset opened, its teacher found again. */
  runForm: { request: z.object({ runId: RunId }).strict(), response: RunFormSchema },
  /** Names a run and keeps notes on it, training or not (both empty: forgets them); the answer is what was kept, trimmed. */
  annotateRun: { request: RunNotesSchema.extend({ runId: RunId }).strict(), response: RunNotesSchema },
  /** `method` picks a study's student, as for the mistakes. */
  softLabels: { request: z.object({ runId: RunId, index: z.number().int().min(0), method: StudyStudentField }).strict(), response: SoftLabelsSchema },
  /** A person's own image, made into one of the run's dataset's images, through the run's models (the explorer's "Try your own image"). */
  softLabelsOfImage: { request: OwnImageRequestSchema, response: ImageSoftLabelsSchema },
  /** `method` picks a study's student (its folder); a run's is its KD student. */
  mistakes: { request: z.object({ runId: RunId, method: StudyStudentField }).strict(), response: MistakesSchema },
  /**
   * One model of a run in a catalogue export format. Over HTTP the export is a download
   * (`downloadUrl`); in Electron, main asks where with a save dialog and the file lands there.
   */
  exportModel: { request: ExportRequestSchema, response: ExportResultSchema },
  /** Stops a run's model's export in progress (export-progress events); nothing of it is left. */
  cancelExport: { request: z.object({ runId: RunId, role: ModelRoleSchema, method: StudyEntrySchema.optional() }).strict(), response: z.object({ cancelled: z.boolean() }) },
} as const;

/** Operations that start training (their reply names the run): a host reports those runs failed if the worker dies. */
export const RUN_STARTING_METHODS = ['startRun', 'startStudy', 'startStudyOfRun', 'startSweep', 'resumeRun'] as const satisfies ReadonlyArray<keyof typeof API>;

/**
 * Operations only the desktop host's main process may ask of its worker: they take paths on
 * this machine, which a browser client of `distill serve` must never choose.
 */
export const HOST_API = {
  /** Dropped or picked files and folders of the desktop app, as paths (webUtils.getPathForFile). */
  importDatasetPaths: { request: z.object({ paths: z.array(z.string().min(1)).min(1).max(64) }).strict(), response: DatasetViewSchema },
  /** A teacher folder (or its model.json) dropped or picked in the desktop app. */
  importTeacherPaths: { request: z.object({ paths: z.array(z.string().min(1)).min(1).max(64) }).strict(), response: TeacherViewSchema },
  exportModelTo: { request: ExportRequestSchema.extend({ destination: z.string().min(1) }).strict(), response: ExportResultSchema },
} as const;
export type HostMethod = keyof typeof HOST_API;
/** Host operations the desktop window itself may call (main forwards them after its checks); exportModelTo is main's own. */
export const RENDERER_HOST_METHODS = ['importDatasetPaths', 'importTeacherPaths'] as const satisfies readonly HostMethod[];
export type HostService = { [M in HostMethod]: (request: z.output<(typeof HOST_API)[M]['request']>) => Promise<z.output<(typeof HOST_API)[M]['response']>> };

export type ApiMethod = keyof typeof API;
export type ApiRequest<M extends ApiMethod> = z.input<(typeof API)[M]['request']>;
export type ApiResponse<M extends ApiMethod> = z.output<(typeof API)[M]['response']>;
export const API_METHODS = Object.keys(API) as ApiMethod[];

export function isApiMethod(name: string): name is ApiMethod {
  return (API_METHODS as string[]).includes(name);
}

/** What a schema issue needs, in the shape zod reports it. */
export interface SchemaIssue {
  path: PropertyKey[];
  message: string;
  code?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  expected?: string;
  received?: string;
}

/**
 * A range or type issue in plain words ("must be at least 1", "must be above 0", "takes at most 8
 * values", "must be a whole number"); any other issue as zod words it.
 */
export function issueText(issue: SchemaIssue): string {
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'must be a whole number';
  if (issue.code === 'invalid_type' && issue.expected === 'number' && issue.received === 'NaN') return 'must be a number';
  const list = issue.origin === 'array' || issue.origin === 'set';
  if (issue.code === 'too_small' && issue.minimum !== undefined) {
    if (list) return `needs at least ${issue.minimum} value${Number(issue.minimum) === 1 ? '' : 's'}`;
    if (issue.origin === 'number' || issue.origin === 'int') return `must be ${issue.inclusive === false ? 'above' : 'at least'} ${issue.minimum}`;
  }
  if (issue.code === 'too_big' && issue.maximum !== undefined) {
    if (list) return `takes at most ${issue.maximum} value${Number(issue.maximum) === 1 ? '' : 's'}`;
    if (issue.origin === 'number' || issue.origin === 'int') return `must be ${issue.inclusive === false ? 'below' : 'at most'} ${issue.maximum}`;
  }
  return issue.message;
}

/** Zod's first issue as one line: `overrides.alpha: must be at most 1`. */
export function describeIssue(error: { issues: ReadonlyArray<SchemaIssue> }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  return issue.path.length ? `${issue.path.map(String).join('.')}: ${issueText(issue)}` : issueText(issue);
}

/** A request its schema refused, as the service and Electron's main both word it (the app's `inAppWords` reads the field back): `startRun: invalid request: overrides.lr: must be above 0`. */
export function describeInvalidRequest(method: string, error: { issues: ReadonlyArray<SchemaIssue> }): string {
  return `${method}: invalid request: ${describeIssue(error)}`;
}

/** What the service implements (worker, server). */
export type DistillService = { [M in ApiMethod]: (request: z.output<(typeof API)[M]['request']>) => Promise<ApiResponse<M>> };

/** Events pushed to every window or browser tab. */
export const ApiEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run-event'), runId: RunId, event: RunEventSchema }),
  z.object({ type: z.literal('run-ended'), runId: RunId, status: RunStatusSchema, error: z.string().optional() }),
  z.object({ type: z.literal('download-progress'), name: z.string(), file: z.string(), received: z.number(), total: z.number().nullable() }),
  ExportProgressSchema.extend({ type: z.literal('export-progress'), runId: RunId, role: ModelRoleSchema, method: StudyEntrySchema.optional() }),
]);
export type ApiEvent = z.infer<typeof ApiEventSchema>;

/**
 * The one object the renderer talks to: the preload provides it in Electron, a small
 * HTTP/WebSocket client in a browser. Nothing else in the renderer knows which.
 */
export type BridgeMethod = Exclude<ApiMethod, 'importDataset' | 'importTeacher'>;
/** What the preload exposes on window.distill (typed from the contract; no `any` crosses). */
export type DistillBridge = { [M in BridgeMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> } & {
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** Files dropped or picked in the window: in Electron each becomes a path (a folder is one path). */
  importFiles(files: File[]): Promise<DatasetView>;
  /** A teacher folder (or its files) dropped or picked in the window. */
  importTeacherFiles(files: File[]): Promise<TeacherView>;
};

export type BridgeMethods = { [M in BridgeMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

/** One function per plain method over a host's transport (the preload's IPC, the browser's fetch). */
export function bridgeMethods(call: <M extends ApiMethod>(method: M, request: ApiRequest<M>) => Promise<ApiResponse<M>>): BridgeMethods {
  const plain = API_METHODS.filter((m): m is BridgeMethod => m !== 'importDataset' && m !== 'importTeacher');
  return Object.fromEntries(plain.map((method) => [method, (request: ApiRequest<typeof method>) => call(method, request)])) as BridgeMethods;
}

/** A failed call, as it crosses any boundary. `input` errors are the caller's to fix. */
export const ApiErrorSchema = z.object({ error: z.string(), kind: z.enum(['input', 'internal']) });
export type ApiError = z.infer<typeof ApiErrorSchema>;

export { BackendInfoSchema, ModelReportSchema };
