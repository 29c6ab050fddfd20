import { describeDefault, describeFlag, describeRange, hasKdTerm, METHOD_CATALOGUE, METHOD_IDS, neededFlag, PRESET_CATALOGUE, PRESET_IDS, RUN_SETTING_GROUPS, RUN_SETTINGS, STUDY_METHODS_HELP, STUDY_SEEDS, type AnyOption, type OptionTable } from '../contract/catalogue';

const line = (option: AnyOption, value: unknown) => {
  const range = describeRange(option);
  const under = option.needs ? `, with ${neededFlag(option.needs)}` : '';
  return `    ${describeFlag(option).padEnd(30)} ${option.help} (default ${describeDefault(value, option)}${range ? `; ${range}` : ''}${under})`;
};

/** `distill help`'s reference part: every method with its loss and options, every setting, every preset. */
export function catalogueHelp(): string {
  const methods = METHOD_IDS.map((id) => {
    const entry = METHOD_CATALOGUE[id];
    const options = Object.values(entry.options as OptionTable).map((option) => line(option, option.default));
    const uses = entry.uses.length ? [`    also uses ${entry.uses.map((ref) => `--${(METHOD_CATALOGUE as Record<string, { options: OptionTable }>)[ref.split('.')[0]!]!.options[ref.split('.')[1]!]!.flag}`).join(', ')}`] : [];
    const kdTerm = hasKdTerm(id) ? [`    with --kd-weight above 0, also uses --${METHOD_CATALOGUE.kd.options.temperature.flag} and --${METHOD_CATALOGUE.kd.options.warmup.flag} (KD's soft term added to the loss)`] : [];
    return [`  ${id.padEnd(9)} ${entry.label}: ${entry.help}`, `    loss: ${entry.loss}`, ...uses, ...kdTerm, ...options].join('\n');
  });
  const settings = RUN_SETTING_GROUPS.flatMap((group) => [`  ${group.label}:`, ...group.keys.map((key) => line(RUN_SETTINGS[key], RUN_SETTINGS[key].default))]);
  const presets = PRESET_IDS.map((id) => `  ${id.padEnd(28)} ${PRESET_CATALOGUE[id].description} (${PRESET_CATALOGUE[id].time})`);
  return [
    'Methods (--method, or --methods for a study), with their options (defaults: the quick preset\'s may differ):',
    ...methods,
    '',
    'Study (distill study):',
    `    ${'--methods M,…'.padEnd(30)} ${STUDY_METHODS_HELP}`,
    line(STUDY_SEEDS, STUDY_SEEDS.default),
    '',
    "Run settings (defaults: the quick preset; an on/off flag that turns something on also has a --no- form, which turns off what a preset turned on, such as auto's --no-sweep):",
    ...settings,
    '',
    'Presets (--preset; flags override any field):',
    ...presets,
  ].join('\n');
}
