import type { DistillBridge } from '../../../electron/contract/api';
import type { AppApi } from './app-api';

/** The Electron host: the preload's window.distill; a dropped folder is one path there. */
export function createElectronApi(bridge: DistillBridge): AppApi {
  return {
    ...bridge,
    onEventsResumed: () => () => undefined,
    importDropped: (transfer) => bridge.importFiles([...transfer.files]),
    importPicked: (files) => bridge.importFiles(files),
    importTeacherDropped: (transfer) => bridge.importTeacherFiles([...transfer.files]),
    importTeacherPicked: (files) => bridge.importTeacherFiles(files),
  };
}
