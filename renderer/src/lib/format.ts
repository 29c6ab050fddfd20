export const percent = (fraction: number, digits = 2) => `${(fraction * 100).toFixed(digits)}%`;

export function bytes(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

export const count = (n: number) => n.toLocaleString('en-US');

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

export function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export const PHASE_NAMES = { teacher: 'Teacher', student: 'KD student', baseline: 'Student alone' } as const;
export const PHASE_COLORS = { teacher: '#7c3aed', student: '#059669', baseline: '#d97706' } as const;
