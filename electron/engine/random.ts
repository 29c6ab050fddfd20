/** A seeded generator whose whole state is one integer, so a checkpoint can save and restore it. */
export type Rng = (() => number) & { state(): number };

/** Small seeded PRNG (mulberry32): the same seed gives the same shuffles everywhere; `state` resumes one. */
export function createRng(seed: number, state?: number): Rng {
  let a = state ?? seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.assign(next, { state: () => a });
}

/** Fisher–Yates shuffle of 0..n-1. */
export function shuffledIndices(n: number, rng: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Integer in [lo, hi], inclusive. */
export function randomInt(rng: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}
