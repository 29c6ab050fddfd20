/**
 * The catalogue: one table of what Distill Studio offers (methods and their options, run
 * settings, presets, dataset sources and formats, export formats, backends, model families).
 * Plain data and zod, so the renderer imports it too; every flag, help line, picker, default and
 * engine registry derives from it.
 */
export * from './datasets';
export * from './methods';
export * from './study-entries';
export * from './models';
export * from './options';
export * from './presets';
export * from './run-settings';
export * from './app-words';
