import { DEFAULT_PRESET, OWN_DATA_PRESET, ownDataPresetChoice, PRESET_CATALOGUE, presetConfig } from '../../../electron/contract/catalogue';
import type { PresetName, RunConfig } from '../../../electron/contract/run-config';

/** The form as the preset selector and the person left it. */
export interface PresetForm {
  preset: PresetName;
  config: RunConfig;
  /** A teacher reused from a run or brought by the person counts as a choice of theirs. */
  teacherChosen: boolean;
  /** Whether the preset in force was set by an earlier dataset choice rather than by the person. */
  setByDataset: boolean;
}

const untouched = (form: PresetForm, preset: PresetName) =>
  form.preset === preset && !form.teacherChosen && JSON.stringify(form.config) === JSON.stringify(presetConfig(preset));

/**
 * The preset a newly chosen dataset calls for, with why; null keeps the form. `quick` was tuned on
 * MNIST, so another dataset gets `auto`, and MNIST gets `quick` back when `auto` came from an
 * earlier dataset; but only while the form is still as its preset filled it: a person's own
 * choices of preset, models or settings stay.
 */
export function presetForDataset(dataset: string, form: PresetForm): { preset: PresetName; note: string } | null {
  const mnist = dataset === 'mnist';
  if (!mnist && untouched(form, DEFAULT_PRESET)) {
    return { preset: OWN_DATA_PRESET, note: `Recipe set to ${PRESET_CATALOGUE[OWN_DATA_PRESET].label} for this dataset: ${PRESET_CATALOGUE[DEFAULT_PRESET].label} was tuned on MNIST, and ${ownDataPresetChoice()}.` };
  }
  if (mnist && form.setByDataset && untouched(form, OWN_DATA_PRESET)) return { preset: DEFAULT_PRESET, note: '' };
  return null;
}
