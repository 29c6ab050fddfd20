/**
 * A plain-text table for the terminal: the first column left-aligned, and the `text` columns
 * (words rather than numbers), the others right.
 */
export function table(header: string[], rows: string[][], text: readonly number[] = []): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const left = (i: number) => i === 0 || text.includes(i);
  const line = (cells: string[]) => cells.map((cell, i) => (left(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
