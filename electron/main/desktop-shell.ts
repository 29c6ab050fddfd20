import { BrowserWindow, Notification, powerSaveBlocker } from 'electron';
import type { DesktopShell } from './run-signals';

/** The desktop's side of a long run, in Electron: what RunSignals decides, done. */
export function electronDesktopShell(): DesktopShell {
  let blocker: number | null = null;
  const focusWindow = () => {
    const window = BrowserWindow.getAllWindows()[0];
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  };
  return {
    keepAwake(on) {
      // 'prevent-app-suspension' keeps the machine from sleeping but lets the screen turn off.
      if (on && blocker === null) blocker = powerSaveBlocker.start('prevent-app-suspension');
      else if (!on && blocker !== null) {
        powerSaveBlocker.stop(blocker);
        blocker = null;
      }
    },
    showProgress(fraction) {
      for (const window of BrowserWindow.getAllWindows()) window.setProgressBar(fraction ?? -1);
    },
    notify({ title, body }) {
      if (!Notification.isSupported()) return;
      const notice = new Notification({ title, body });
      notice.on('click', focusWindow);
      notice.show();
    },
    hasFocus: () => BrowserWindow.getFocusedWindow() !== null,
  };
}
