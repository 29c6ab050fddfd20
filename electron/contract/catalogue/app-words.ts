import { METHOD_CATALOGUE, METHOD_IDS } from './methods';
import { STUDY_SEEDS } from './study-entries';
import type { AnyOption, OptionTable } from './options';
import { RUN_SETTINGS } from './run-settings';

/** Every setting the app's forms show, by CLI flag: run settings first, then method options (shared ones once) and a study's seeds. */
let byFlag: Map<string, AnyOption> | null = null;

function optionsByFlag(): Map<string, AnyOption> {
  if (byFlag) return byFlag;
  const all: AnyOption[] = [...(Object.values(RUN_SETTINGS) as AnyOption[]), ...METHOD_IDS.flatMap((id) => Object.values(METHOD_CATALOGUE[id].options) as AnyOption[]), STUDY_SEEDS];
  byFlag = new Map();
  for (const option of all) if (!byFlag.has(option.flag)) byFlag.set(option.flag, option);
  return byFlag;
}

const FLAG = /--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)/g;
// describeInvalidRequest's wording (contract/api, which imports the catalogue, so its pattern is read here).
const REFUSED_FIELD = /^\w+: invalid request: overrides\.([\w.]+): /;

/** A request the contract refused for one of the form's values (`startRun: invalid request: overrides.lr: must be above 0`) as that field's: `“learning rate”: must be above 0`. */
function withFieldLabel(message: string): string {
  const path = REFUSED_FIELD.exec(message)?.[1]?.split('.');
  if (!path) return message;
  // `methodOptions.kd.alpha` is a method's option; `sweepTemperatures.1` a list setting's second value.
  const [key, method, option] = path as [string, string?, string?];
  const field = key === 'methodOptions' ? (method && option ? (METHOD_CATALOGUE as Record<string, { options: OptionTable }>)[method]?.options[option] : undefined) : (RUN_SETTINGS as OptionTable)[key];
  return field ? message.replace(REFUSED_FIELD, `“${field.label}”: `) : message;
}

/**
 * An engine message in the app's words. The engine's refusals name CLI flags ("add
 * --validation-split"), which the app's user never typed: each flag of a setting the app's forms
 * show becomes that field's label ("add “validation split”"), a negated switch (`--no-baseline`,
 * or `--no-sweep` for `--sweep`) its label and "off". Flags no form shows are left as they are.
 */
export function inAppWords(message: string): string {
  const options = optionsByFlag();
  return withFieldLabel(message).replace(FLAG, (whole, flag: string) => {
    const option = options.get(flag);
    // `--no-sweep`: the CLI's off switch of a setting whose own flag turns it on.
    const switchedOff = option ? undefined : options.get(flag.replace(/^no-/, ''));
    if (switchedOff?.kind === 'boolean' && !switchedOff.negated) return `“${switchedOff.label}” off`;
    if (!option) return whole;
    return option.kind === 'boolean' && option.negated ? `“${option.label}” off` : `“${option.label}”`;
  });
}
