// The app's display helpers: the shared number and name formats come from the contract.
export { historyCells, historyMatches, runOutcome, shortPath } from '../../../electron/contract/history';
export { describeAgainstTeacher, formatBackendDevice as backendDevice, formatBytes as bytes, formatCount as count, formatCountOf as countOf, formatDuration as duration, formatKeptEpoch as keptEpoch, formatMagnitude as magnitude, formatPercent as percent, formatPercentOrDash as percentOrDash, formatPoints as points, formatSeedsGain as seedsGain, formatStepMode as stepMode, formatSweepCell as sweepCell, gainName, laneTitle, seedRepeat, shownMethod, studentLaneMethod, studentTitle, studyAgainstTeacher } from '../../../electron/contract/display';

export function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export const PHASE_COLORS = { teacher: '#7c3aed', student: '#059669', baseline: '#d97706' } as const;
/** The same hues as text, 4.5:1 on the panel (WCAG AA) in the light theme and the dark (app.css); the brighter ones stay for lines and bars. */
export const PHASE_TEXT_COLORS = { teacher: 'var(--teacher-text)', student: 'var(--student-text)', baseline: 'var(--baseline-text)' } as const;

const PALETTE = ['#059669', '#d97706', '#2563eb', '#db2777', '#0891b2', '#65a30d', '#dc2626'];
export function laneColor(key: string, index: number): string {
  return (PHASE_COLORS as Record<string, string>)[key] ?? (key === 'kd' ? PHASE_COLORS.student : PALETTE[index % PALETTE.length]!);
}
