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

export const METHOD_NAMES: Record<string, string> = {
  baseline: 'Student alone',
  kd: 'KD (Hinton)',
  fitnet: 'FitNets',
  at: 'Attention transfer',
  dkd: 'DKD',
};

/** A lane's title: a phase of a run, or a method of a study (`init+kd` → "Teacher init + KD (Hinton)"). */
export function laneTitle(key: string, runMethod?: string): string {
  if (key === 'teacher') return 'Teacher';
  if (key === 'student') return runMethod && runMethod !== 'kd' ? `${METHOD_NAMES[runMethod] ?? runMethod} student` : 'KD student';
  if (key === 'baseline') return 'Student alone';
  const init = key.startsWith('init+');
  const method = init ? key.slice(5) : key;
  return `${init ? 'Teacher init + ' : ''}${METHOD_NAMES[method] ?? method}`;
}

const PALETTE = ['#059669', '#d97706', '#2563eb', '#db2777', '#0891b2', '#65a30d', '#dc2626'];
export function laneColor(key: string, index: number): string {
  return (PHASE_COLORS as Record<string, string>)[key] ?? (key === 'kd' ? PHASE_COLORS.student : PALETTE[index % PALETTE.length]!);
}
