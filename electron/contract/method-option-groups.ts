import { METHOD_CATALOGUE, optionsOfMethod, type MethodId } from './catalogue';
import { formatList } from './display';

/** One method's options as a form shows them, under a title where several methods' are shown. */
export interface MethodOptionGroup {
  /** The method that owns the options (`kd` for T, α and KD's warm-up). */
  owner: MethodId;
  keys: string[];
  /** "KD (Hinton), also read by FitNets and DKD"; null when this is the only group. */
  title: string | null;
}

/**
 * The options of the methods in play (the one chosen, or a study's), each once, grouped by the
 * method that owns them, in the catalogue's order. Several methods have options of the same name
 * (KD's, attention transfer's, DKD's and DIST's "warm-up epochs"): each group is titled by its
 * method, and by the methods that read it where they are others, as soon as there are two groups.
 * `readNow` says what a method reads as the form stands (optionsInEffect): CRD reads KD's T only
 * with its soft term on, so a title names it as a reader only then.
 */
export function methodOptionGroups(active: readonly MethodId[], readNow: (method: MethodId) => ReadonlyArray<{ method: MethodId; key: string }> = optionsOfMethod): MethodOptionGroup[] {
  const groups: Array<{ owner: MethodId; keys: string[] }> = [];
  for (const { method, key } of active.flatMap(optionsOfMethod)) {
    let group = groups.find((g) => g.owner === method);
    if (!group) groups.push((group = { owner: method, keys: [] }));
    if (!group.keys.includes(key)) group.keys.push(key);
  }
  const label = (id: MethodId) => METHOD_CATALOGUE[id].label;
  return groups.map(({ owner, keys }) => {
    if (groups.length === 1) return { owner, keys, title: null };
    const readers = active.filter((id) => id !== owner && readNow(id).some((o) => o.method === owner)).map(label);
    const read = readers.length === 0 ? '' : `, ${active.includes(owner) ? 'also ' : ''}read by ${formatList(readers)}`;
    return { owner, keys, title: `${label(owner)}${read}` };
  });
}
