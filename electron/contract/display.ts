import { KD_TERM_SUFFIX, kdTermWeight, METHOD_CATALOGUE, METHOD_IDS, parseStudyEntry, STUDY_VARIANTS, studyEntryMethodOptions, type MethodEntry, type MethodId } from './catalogue';
import type { Selection } from './events';

/**
 * How numbers and names read, the same in the CLI's tables and the app's screens.
 * Pure functions over the catalogue: no Node, no DOM.
 */
export const formatPercent = (fraction: number, digits = 2) => `${(fraction * 100).toFixed(digits)}%`;
/** A percentage, or – where there is none (a model the run did not train). */
export const formatPercentOrDash = (fraction: number | null) => (fraction === null ? '–' : formatPercent(fraction));
/** `A`, `A and B`, `A, B and C`. */
export const formatList = (words: readonly string[], last: 'and' | 'or' = 'and') => (words.length > 1 ? `${words.slice(0, -1).join(', ')} ${last} ${words.at(-1)}` : (words[0] ?? ''));

export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

export const formatCount = (n: number) => n.toLocaleString('en-US');

/** `152.8M`, `24.8k`, `512`: multiply–accumulates (or any large count) in three figures or so. */
export function formatMagnitude(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** What describeAgainstTeacher reads of a report (a run's ModelReport, a study's teacher and row). */
export interface SizeAndTiming {
  params: number;
  latencyMs?: number | undefined;
  timedWhileBusy?: boolean | undefined;
}

/**
 * `51.5× smaller than the teacher and 2.3× faster per image`: what the student saves, from the
 * reports' parameters and latencies (timed side by side at the end of a run). A student that is
 * not faster says so: a small convnet can be slower per image than a wide MLP, and `lenet5@0.5`
 * timed as fast as `lenet5` on wasm. A timing made
 * while other work held the cores says that too, rather than pass a busy reading off as the
 * models' own.
 */
export function describeAgainstTeacher(teacher: SizeAndTiming, student: SizeAndTiming): string {
  const smaller = `${(teacher.params / student.params).toFixed(1)}× smaller than the teacher`;
  const [teacherMs, studentMs] = [teacher.latencyMs ?? 0, student.latencyMs ?? 0];
  if (!(teacherMs > 0 && studentMs > 0)) return smaller;
  const speed = teacherMs / studentMs;
  const busy = teacher.timedWhileBusy || student.timedWhileBusy ? ` (${TIMED_WHILE_BUSY})` : '';
  const ratio = (speed >= 1 ? speed : 1 / speed).toFixed(1);
  // "1.0× faster" reads as a claim; within a twentieth either way the two are as fast.
  if (ratio === '1.0') return `${smaller} and about as fast per image${busy}`;
  return `${smaller} and ${ratio}× ${speed >= 1 ? 'faster' : 'slower'} per image${busy}`;
}

export const TIMED_WHILE_BUSY = 'timed while other work held the cores, so the speed may be off';

/**
 * The same phrase for a study: its rows share one architecture (and one timing), so the first
 * row stands for them all. Null without a teacher or rows.
 */
export function studyAgainstTeacher(study: { teacher: SizeAndTiming | null; rows: readonly SizeAndTiming[] }): string | null {
  const row = study.rows[0];
  if (!study.teacher || !row) return null;
  return describeAgainstTeacher(study.teacher, row);
}

/** `1 epoch`, `3 epochs`: a count with its noun, singular for one. */
export const formatCountOf = (n: number, noun: string) => `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;

/** `4.2 s`, `42 s`, `3 min 05 s`; `compact` for terminal tables: `4.2s`, `42s`, `3m05s`. */
export function formatDuration(seconds: number, compact = false): string {
  if (!Number.isFinite(seconds)) return '–';
  const [s, m] = compact ? ['s', 'm'] : [' s', ' min '];
  if (seconds < 10) return `${seconds.toFixed(1)}${s}`;
  const whole = Math.round(seconds);
  return whole >= 60 ? `${Math.floor(whole / 60)}${m}${String(whole % 60).padStart(2, '0')}${s}` : `${whole}${s}`;
}

/** `AMD EPYC × 2 (WebAssembly SIMD), 2 threads`: where a run computes, with its CPU threads where it has them. */
export const formatBackendDevice = (backend: { device: string; threads?: number | undefined }) =>
  backend.threads ? `${backend.device}, ${backend.threads} thread${backend.threads > 1 ? 's' : ''}` : backend.device;

/** `compiled step (52 dispatches replayed per step)`, or `eager steps: why`: how a phase's steps run on webgpu. */
export const formatStepMode = (mode: { compiled: boolean; note: string }) => (mode.compiled ? `compiled step (${mode.note})` : `eager steps: ${mode.note}`);

/** How far a model is through its epochs, 0–1, from its latest progress event (the Training bars, the taskbar's). */
export const epochFraction = (p: { epoch: number; epochs: number; step: number; steps: number }) =>
  Math.min(1, Math.max(0, (p.epoch - 1 + p.step / Math.max(1, p.steps)) / Math.max(1, p.epochs)));

/** How far a T × α sweep is, 0–1: its cells done, and the one training now `within` of the way. */
export const sweepFraction = (done: number, total: number, within: number) => Math.min(1, (done + within) / total);

/** `+1.27` points from a gain given as a fraction. */
export const formatPoints = (fraction: number) => `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(2)}`;

/** A sweep's choice: `T = 2, α = 0.5`, `…, from the teacher's weights` when that start won. */
export const formatSweepCell = (cell: { temperature: number; alpha: number; init?: boolean | undefined }) =>
  `T = ${cell.temperature}, α = ${cell.alpha}${cell.init ? ", from the teacher's weights" : ''}`;

/** A study row's gain over its seeds: `+0.53 ± 0.14` (points, ± the standard error), `+0.53` with one pair, `–` without the student alone. */
export function formatSeedsGain(seeds: { meanGain: number | null; gainStdErr: number | null }): string {
  if (seeds.meanGain === null) return '–';
  return seeds.gainStdErr === null ? formatPoints(seeds.meanGain) : `${formatPoints(seeds.meanGain)} ± ${(seeds.gainStdErr * 100).toFixed(2)}`;
}

const isMethodId = (key: string): key is MethodId => (METHOD_IDS as string[]).includes(key);

/**
 * A method or study entry in words: `kd` → "KD (Hinton)", `init+kd` → "teacher init + KD (Hinton)",
 * and for titles a feature method with KD's soft term added, `sp+kd` → "SP + KD" (shownMethod).
 */
export function methodLabel(key: string): string {
  const variant = STUDY_VARIANTS.find((v) => v.id === key);
  if (variant) return variant.label;
  const init = key.startsWith('init+');
  const rest = init ? key.slice(5) : key;
  const plusKd = rest.endsWith(KD_TERM_SUFFIX) && isMethodId(rest.slice(0, -KD_TERM_SUFFIX.length));
  const method = plusKd ? rest.slice(0, -KD_TERM_SUFFIX.length) : rest;
  const label = `${isMethodId(method) ? METHOD_CATALOGUE[method].label : method}${plusKd ? ' + KD' : ''}`;
  return init ? `teacher init + ${label}` : label;
}

/**
 * The name a run's distilled student goes by in titles: its method, with `+kd` where a feature
 * method added KD's soft term (`--kd-weight`), so that it reads "SP + KD student", "SP + KD gain".
 * For display only: lookups (advice, colours, exports) take the method itself.
 */
export function shownMethod(method: string | undefined, methodOptions: Partial<Record<MethodId, Record<string, unknown>>> | undefined): string | undefined {
  return method && methodOptions && isMethodId(method) && kdTermWeight(method, methodOptions) > 0 ? `${method}${KD_TERM_SUFFIX}` : method;
}

/**
 * A study entry's title, as its row and its lane read it: `init+sp` → "teacher init + SP", with
 * "+ KD" wherever KD's soft term is on the entry (`sp+kd`, or `sp` under --kd-weight alone).
 */
export function studyEntryTitle(name: string, entries: readonly string[], methodOptions: Partial<Record<MethodId, Record<string, unknown>>>): string {
  const parts = parseStudyEntry(name);
  if (!parts) return methodLabel(name);
  const shown = shownMethod(parts.method, studyEntryMethodOptions(methodOptions, entries, name))!;
  return `${parts.initFromTeacher ? 'teacher init + ' : ''}${methodLabel(shown)}`;
}

/** What a run calls its distilled student: "KD student", "DKD student". */
/** The method a distilled student was kept with, as a sentence names it: "KD", "DIST", "Teacher init + KD". */
export const distilledBy = (method: string | undefined) => (!method || method === 'kd' ? 'KD' : laneTitle(method));

/** A distilled student's gain over the student alone, named by its method: "KD gain", "DIST gain". */
export const gainName = (method: string | undefined) => `${distilledBy(method)} gain`;

/**
 * The method a run's `student` lane trains with: under `--try-dist`, KD's entrant, whichever the
 * race kept (config.json then says dist); else the run's own method.
 */
export const studentLaneMethod = (config: { method: string; tryDist?: boolean | undefined }) => (config.tryDist ? 'kd' : config.method);

export const studentTitle = (method: string | undefined) => (!method || method === 'kd' ? 'KD student' : `${methodLabel(method)} student`);

/** A study entry's lane and checkpoint key for one seed: the entry's own for the first, `kd#2` for a repeat (read back by seedRepeat). */
export const seedLabel = (entry: string, seed: number, first: number): string => (seed === first ? entry : `${entry}#${seed}`);

/** A study's lane for an entry trained again with another seed (`kd#2`): the entry and the seed; null for any other lane. */
export function seedRepeat(key: string): { entry: string; seed: number } | null {
  const repeat = /^(.+)#(\d+)$/.exec(key);
  return repeat ? { entry: repeat[1]!, seed: Number(repeat[2]) } : null;
}

/** A lane's title: a phase of a run, or a method of a study (and its seed, for a repeat). */
export function laneTitle(key: string, runMethod?: string): string {
  const repeat = seedRepeat(key);
  if (repeat) return `${laneTitle(repeat.entry, runMethod)} (seed ${repeat.seed})`;
  if (key === 'teacher') return 'Teacher';
  if (key === 'student') return studentTitle(runMethod);
  if (key === 'baseline') return 'Student alone';
  if (key === 'sweep') return 'T × α sweep';
  const title = methodLabel(key);
  return title.charAt(0).toUpperCase() + title.slice(1);
}

/** An export's file or folder name: `student-<run id>`, a study's `student-init-kd-<run id>`; `-<format>` after any format but tfjs. */
export function exportName({ runId, role, format = 'tfjs', method }: { runId: string; role: string; format?: string; method?: string | undefined }): string {
  return `${role}${method ? `-${method.replace(/\+/g, '-')}` : ''}-${runId}${format === 'tfjs' ? '' : `-${format}`}`;
}

/** What an export is of, in words: `student`, `teacher`, or a study's `init+kd student`. */
export const exportSubject = ({ role, method }: { role: string; method?: string | undefined }) => (method ? `${method} student` : role);

/** "kept epoch 17 of 25, the best on the validation split": the epoch a model kept, of those it ran. */
export function formatKeptEpoch(selection: Selection): string {
  return `kept epoch ${selection.bestEpoch} of ${selection.stoppedEarly ?? selection.epochs}, the best on the validation split`;
}

/** A teacher's inner tensor in words: `name (28×28×16)`. */
export const formatTensor = (tensor: { name: string; shape: readonly number[] }) => `${tensor.name} (${tensor.shape.join('×')})`;

type Tensors = ReadonlyArray<{ name: string; shape: readonly number[] }>;
/**
 * An imported teacher's stages (the last map of each spatial size, then its hidden vectors), as a
 * list; `none` when it has none, saying why where its hidden tensors are a transformer's tokens.
 */
export function formatStages(stages: { maps: Tensors; vectors: Tensors; tokens?: Tensors | undefined }): string {
  const listed = [...stages.maps, ...stages.vectors].map(formatTensor).join(', ');
  const last = stages.tokens?.at(-1);
  if (listed || !last) return listed || 'none';
  return `none: its hidden tensors are token sequences (such as ${formatTensor(last)}: tokens × width, a transformer's), which ${methodsReading('pairs')} cannot pair with feature maps; ${methodsReading('none')} read its outputs, ${methodsReading('embedding')} its embedding`;
}

/** The short names of the distillation methods that read the teacher's `layers`, in words: "RKD, SP and PKT". */
export function methodsReading(layers: MethodEntry['teacherLayers']): string {
  return formatList(METHOD_IDS.filter((id) => METHOD_CATALOGUE[id].needsTeacher && METHOD_CATALOGUE[id].teacherLayers === layers).map((id) => METHOD_CATALOGUE[id].label.replace(/ \(.*\)$/, '')));
}
