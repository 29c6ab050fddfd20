import type { ApiResponse, DatasetView, ExportProgress, ModelInfo, ModelRole, RunSummary, TeacherCheck, TeacherView } from '../../../electron/contract/api';
import { DEFAULT_PRESET, DEFAULT_STUDY, inAppWords, METHOD_IDS, presetConfig, STUDY_SEEDS, STUDY_VARIANTS } from '../../../electron/contract/catalogue';
import type { PresetName, RunConfig } from '../../../electron/contract/run-config';
import type { RunView } from './run-view';

/** What a refused request says, in the app's words (its settings' labels, not the CLI's flags). */
export const errorText = (error: unknown) => inAppWords(error instanceof Error ? error.message : String(error));

export type Screen = 'dataset' | 'models' | 'method' | 'training' | 'results' | 'history';

/** Study entries a person can tick: every catalogue method and variant, the default study ticked. */
const studyChoices = () => Object.fromEntries([...METHOD_IDS, ...STUDY_VARIANTS.map((v) => v.id)].map((id) => [id, DEFAULT_STUDY.split(',').includes(id)]));

/** The app's state, shared by the screens (Svelte 5 runes). */
export const app = $state({
  screen: 'dataset' as Screen,
  info: null as ApiResponse<'appInfo'> | null,
  dataset: null as DatasetView | null,
  /** What a dataset being chosen is waiting for: its files, then the pickers' model sizes for its images. */
  datasetBusy: null as 'reading' | 'sizing' | null,
  datasetError: '',
  models: [] as ModelInfo[],
  /** Architectures typed on the Models screen (resnet20@0.25, mlp-100x2), listed after the catalogue's. */
  customModels: [] as string[],
  /** Why a typed architecture was refused, beside the picker it was typed for. */
  modelError: null as { role: 'teacher' | 'student'; message: string } | null,
  /** The preset the form started from, and the form itself: a full run configuration. */
  preset: DEFAULT_PRESET as PresetName,
  config: presetConfig(DEFAULT_PRESET) as RunConfig,
  /** Why the dataset chose the preset in force ('' when the person chose it, or it is the default). */
  presetNote: '',
  /** Which run the form took its settings from ("Edit and run again"), and what it could not take; '' otherwise. */
  formNote: '',
  /** '' trains the teacher named in the config; a run id reuses that run's teacher; 'own' uses `ownTeacher`. */
  teacherRun: '',
  /** A teacher the person brought (an .onnx file, a TensorFlow.js LayersModel or GraphModel folder). */
  ownTeacher: null as TeacherView | null,
  /** The own teacher tried on the dataset's test images as declared (null until checked). */
  teacherCheck: null as TeacherCheck | null,
  teacherChecking: false,
  teacherBusy: false,
  teacherError: '',
  /** A study trains every checked one of `studyMethods` instead of `config.method`. */
  studyMode: false,
  studyMethods: studyChoices() as Record<string, boolean>,
  /** A study's seeds per method (STUDY_SEEDS). */
  studySeeds: STUDY_SEEDS.default as number,
  download: null as { name: string; file: string; received: number; total: number | null } | null,
  /** A browser upload under way (dataset or teacher), with its progress; Cancel stops it. */
  upload: null as { what: 'dataset' | 'teacher'; files: number; totalFiles: number; bytes: number; totalBytes: number } | null,
  /** An export under way, with its stage; Cancel stops it. */
  export: null as (ExportProgress & { runId: string; role: ModelRole; method?: string }) | null,
  run: null as RunView | null,
  runs: [] as RunSummary[],
  error: '',
});
