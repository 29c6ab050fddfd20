import { issueText } from './api';
import { METHOD_CATALOGUE, optionsOfMethod, RUN_SETTINGS, type AnyOption, type MethodId, type OptionTable } from './catalogue';
import type { RunConfig } from './run-config';

/**
 * The form's values their settings would refuse, each as `“label”: why` in the words the
 * request's validation uses ("“student epochs”: must be at least 1"), so the app says so beside
 * Start instead of after it. Run settings, then the options of the methods in play (each once).
 */
export function formProblems(config: RunConfig, methods: readonly MethodId[]): string[] {
  const settings = Object.entries(RUN_SETTINGS as OptionTable).map(([key, option]): [AnyOption, unknown] => [option, (config as unknown as Record<string, unknown>)[key]]);
  const seen = new Set<string>();
  const options = methods.flatMap(optionsOfMethod).flatMap(({ method, key }): Array<[AnyOption, unknown]> => {
    if (seen.has(`${method}.${key}`)) return [];
    seen.add(`${method}.${key}`);
    return [[(METHOD_CATALOGUE[method].options as OptionTable)[key]!, (config.methodOptions[method] as Record<string, unknown>)[key]]];
  });
  return [...settings, ...options].flatMap(([option, value]) => {
    const checked = option.schema.safeParse(value);
    const issue = checked.success ? undefined : checked.error.issues[0];
    return issue ? [`“${option.label}”: ${issueText(issue)}`] : [];
  });
}
