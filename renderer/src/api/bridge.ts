import type { DistillBridge } from '../../../electron/contract/api';
import { createBrowserBridge } from './browser-bridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    distill?: DistillBridge;
  }
}

let bridge: DistillBridge | null = null;

/** The one API object: the preload's in Electron, the HTTP/WebSocket client in a browser. */
export function api(): DistillBridge {
  bridge ??= window.distill ?? createBrowserBridge();
  return bridge;
}
