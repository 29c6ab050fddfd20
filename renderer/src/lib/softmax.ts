/** softmax(z / T), computed stably; the renderer softens logits itself so T moves live. */
export function softmax(logits: readonly number[], temperature = 1): number[] {
  const scaled = logits.map((z) => z / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((z) => Math.exp(z - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Shannon entropy in bits: how soft a distribution is. */
export function entropyBits(p: readonly number[]): number {
  return -p.reduce((sum, q) => (q > 0 ? sum + q * Math.log2(q) : sum), 0);
}
