import type { Builder } from 'flatbuffers';

/** Flatbuffer vectors of 4-byte elements, written back to front as a Builder wants them. */
function vector4(b: Builder, count: number, add: (i: number) => void): number {
  b.startVector(4, count, 4);
  for (let i = count - 1; i >= 0; i--) add(i);
  return b.endVector();
}

export const int32Vector = (b: Builder, values: readonly number[]): number => vector4(b, values.length, (i) => b.addInt32(values[i]!));
export const floatVector = (b: Builder, values: ArrayLike<number>): number => vector4(b, values.length, (i) => b.addFloat32(values[i]!));
export const offsetVector = (b: Builder, offsets: readonly number[]): number => vector4(b, offsets.length, (i) => b.addOffset(offsets[i]!));
