import type { DistillBridge } from '../../../electron/contract/api';
import type { AppApi } from './app-api';
import { createBrowserApi } from './browser-bridge';
import { createElectronApi } from './electron-bridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    distill?: DistillBridge;
  }
}

let instance: AppApi | null = null;

/** The one API object: over the preload in Electron, over HTTP/WebSocket in a browser. */
export function api(): AppApi {
  instance ??= window.distill ? createElectronApi(window.distill) : createBrowserApi();
  return instance;
}
