import { METHOD_CATALOGUE, PRESET_CATALOGUE, presetConfig, RUN_SETTINGS, type OptionTable } from '../contract/catalogue';
import { RunConfigSchema, type PresetName, type RunConfig, type RunConfigOverrides } from '../contract/run-config';
import { issueText } from '../contract/api';
import { DistillInputError } from './errors';

/** The presets' full configurations (from the catalogue), by name. */
export const PRESETS = Object.fromEntries(Object.keys(PRESET_CATALOGUE).map((id) => [id, presetConfig(id as PresetName)])) as Record<PresetName, RunConfig>;

/**
 * A preset with overrides applied, validated; a bad value is a DistillInputError naming the
 * field. Method options merge one by one: overriding `methodOptions.kd.alpha` keeps the preset's T.
 */
export function resolveConfig(preset: PresetName, overrides: RunConfigOverrides): RunConfig {
  const { methodOptions, ...general } = overrides;
  const defined = Object.fromEntries(Object.entries(general).filter(([, value]) => value !== undefined));
  const config: Record<string, unknown> = { ...presetConfig(preset), ...defined };
  const merged = config.methodOptions as Record<string, Record<string, unknown>>;
  for (const [method, values] of Object.entries(methodOptions ?? {})) {
    for (const [key, value] of Object.entries(values ?? {})) if (value !== undefined) merged[method]![key] = value;
  }
  const parsed = RunConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String);
    const value = path.reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), config);
    throw new DistillInputError(`invalid ${describeField(path)}${value === undefined ? '' : ` ${JSON.stringify(value)}`}: ${issueText(issue)}`);
  }
  return parsed.data;
}

/** A setting by its flag's name (`temperature`, `dkd-beta`, `batch-size`): the same words in the CLI and the app. */
function describeField(path: string[]): string {
  if (path.length === 0) return 'config';
  const [first, method, key] = path;
  if (first === 'methodOptions' && method && key) {
    const options: OptionTable | undefined = (METHOD_CATALOGUE as Record<string, { options: OptionTable }>)[method]?.options;
    return options?.[key]?.flag ?? path.join('.');
  }
  return (RUN_SETTINGS as OptionTable)[first!]?.flag.replace(/^no-/, '') ?? path.join('.');
}
