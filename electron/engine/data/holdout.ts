import { createRng, shuffledIndices } from '../random';

/**
 * Holds out ⌈20 %⌉ of each class (at least one item when it has two or more), seeded: the test
 * split of a dataset that comes without one (an image folder without test/, a single CSV file).
 */
export function stratifiedSplit<T>(byClass: T[][], seed: number): { train: Array<{ item: T; label: number }>; test: Array<{ item: T; label: number }> } {
  const rng = createRng(seed);
  const train: Array<{ item: T; label: number }> = [];
  const test: Array<{ item: T; label: number }> = [];
  byClass.forEach((items, label) => {
    const order = shuffledIndices(items.length, rng);
    const held = items.length >= 2 ? Math.max(1, Math.round(items.length * 0.2)) : 0;
    order.forEach((index, i) => (i < held ? test : train).push({ item: items[index]!, label }));
  });
  return { train, test };
}
