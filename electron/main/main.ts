// Electron main: lifecycle, the window, security and routing. Training runs in the worker.
import { app, BrowserWindow, Menu, utilityProcess } from 'electron';
import { join } from 'node:path';
import { RunSummarySchema } from '../contract/api';
import { IPC_EVENT_CHANNEL } from '../contract/worker-protocol';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { electronDesktopShell } from './desktop-shell';
import { registerIpc } from './ipc';
import { APP_ORIGIN } from './routing';
import { RunSignals } from './run-signals';
import { createMainWindow, lockDownPermissions, lockDownWebContents } from './window';
import { WorkerHost } from './worker-host';

// Bundled to dist/electron/main.cjs beside preload.cjs and worker.mjs; the renderer is dist/renderer.
const distDir = join(__dirname, '..');
const rendererDir = join(distDir, 'renderer');
const resources = app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources');

app.enableSandbox();
registerAppScheme();
lockDownWebContents();
if (!app.requestSingleInstanceLock()) app.quit();
// Windows shows notifications only for an app with an id: the installer's (package.json's build.appId).
if (process.platform === 'win32') app.setAppUserModelId('studio.distill.app');

app.whenReady().then(() => {
  lockDownPermissions();
  serveRenderer(rendererDir);
  Menu.setApplicationMenu(Menu.buildFromTemplate([{ role: process.platform === 'darwin' ? 'appMenu' : 'fileMenu' }, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }]));
  const env = { DISTILL_RUNS: join(app.getPath('userData'), 'runs'), DISTILL_RESOURCES: resources, DISTILL_VERSION: app.getVersion() };
  // The machine kept awake while a run trains, its progress on the taskbar, a notification at its end.
  const signals = new RunSignals(electronDesktopShell(), async (runId) => {
    const outcome = await worker.call('getRun', { runId });
    return outcome.ok ? (RunSummarySchema.safeParse(outcome.value).data ?? null) : null;
  });
  const worker = new WorkerHost(
    () => utilityProcess.fork(join(__dirname, 'worker.mjs'), [], { serviceName: 'Distill Studio training', env: { ...process.env, ...env }, stdio: 'inherit' }),
    (event) => {
      for (const window of BrowserWindow.getAllWindows()) window.webContents.send(IPC_EVENT_CHANNEL, event);
      signals.observe(event);
    },
  );
  registerIpc(worker, APP_ORIGIN);
  const open = () => createMainWindow(`${APP_ORIGIN}/index.html`, join(__dirname, 'preload.cjs'));
  open();
  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && open());
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  app.on('before-quit', () => worker.stop());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
