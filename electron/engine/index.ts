/**
 * The engine's front door: what the CLI, the service (Electron worker, `distill serve`) and
 * scripts use. Everything behind it (kernels, layers, losses, the trainer) is the engine's own;
 * a lint rule keeps those layers from importing past this file. Importing it does no work.
 */
export { DistillInputError, RunCancelledError, StorageError } from './errors';

// Configuration
export { PRESETS, resolveConfig } from './presets';

// Backends: chosen once at the edge, then every model, loss and data step uses the active one.
export { AUTO_ORDER, autoChoice, probeBackends, selectBackend } from './backend/select';
export { availableCores } from './backend/wasm-threads';

// Datasets
export { datasetFormatOf, loadDataset } from './data/load';
export { summarizeDataset, type DatasetSummary } from './data/inspect';
export { pickSamples, type DatasetSample } from './data/samples';
export { downloadDataset, isCatalogName, type DownloadProgress } from './data/catalog';
export { DownloadError } from './data/download';
export type { ImageDataset } from './data/dataset';

// Models
export { describeModel, findFamily, listModels } from './models/registry';

// Runs, studies and their folders
export { checkRunConfig, checkRunInputs, runDistillation, type RunOptions } from './runs/pipeline';
export { teacherIsSaved } from './runs/phases';
export { runSweep } from './runs/sweep-run';
export { studyConfig, parseStudyMethods, runStudy, type StudyEntry } from './runs/study';
export { studyOfRun } from './runs/study-of-run';
export { bestCellCommandOf, commandLinesOfRun, hostQuoting, settingsIdleForDataset } from './runs/command-of-run';
export { readRunPlan } from './runs/run-plan';
export { checkRunsFolder, listRuns, newRunId, readRun, RunFolder, runInterrupted, runIsLive, writeRunNotes, type StoredRun } from './runs/store';
export { resumableRun, resumeRun } from './runs/resume';
export { RunModelCache, type RunImageSoftLabels, type RunSoftLabels } from './runs/soft-labels';
export { topThree } from './runs/mistakes';
export { describeTeacher, runTeacherOf, savedTeacherPath, teacherFolder } from './runs/teacher-info';
export { describeSavedEnsemble, saveEnsembleOfTeachers, type SavedEnsemble } from './runs/ensemble-folder';
export type { TeacherInputDeclaration } from './runs/teacher-input';
export { checkTeacher, type TeacherCheck } from './runs/teacher-check';
export { getMethod } from './methods/registry';

// Export
export { exportModel, exportRunModel } from './export/registry';
export type { ModelCard } from './export/model-card';

// Benchmarks (`distill bench`)
export { benchTraining } from './bench';
export { profileTrainingStep, type StepProfile } from './bench-profile';
export { restoreStockKernels } from './backend/kernels/install';
export { useTfjsLayerCode } from './models/stock-layers';
