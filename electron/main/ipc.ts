import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { API_METHODS, RENDERER_HOST_METHODS, type ApiError, type ExportRequest } from '../contract/api';
import { EXPORT_FORMAT_CATALOGUE, type ExportFormatId } from '../contract/catalogue';
import { exportName, exportSubject } from '../contract/display';
import { ipcChannel, type CallOutcomeMessage } from '../contract/worker-protocol';
import { checkIpcCall } from './routing';
import type { WorkerHost } from './worker-host';

const refuse = (error: ApiError): CallOutcomeMessage => ({ ok: false, error });

/** One handler per API method (and the host methods the window may call): check the sender and the payload, then forward to the worker. */
export function registerIpc(worker: WorkerHost, appOrigin: string): void {
  for (const method of [...API_METHODS, ...RENDERER_HOST_METHODS]) {
    ipcMain.handle(ipcChannel(method), async (event: IpcMainInvokeEvent, payload: unknown): Promise<CallOutcomeMessage> => {
      const checked = checkIpcCall(method, payload, event.senderFrame?.url, appOrigin);
      if (!checked.ok) return refuse(checked.error);
      if (method === 'exportModel') return exportWithDialog(worker, event, checked.payload as ExportRequest & { format: ExportFormatId });
      return worker.call(method, checked.payload);
    });
  }
}

/** The renderer never names a destination: main asks the person with a save dialog, then the worker writes there. */
async function exportWithDialog(worker: WorkerHost, event: IpcMainInvokeEvent, request: ExportRequest & { format: ExportFormatId }): Promise<CallOutcomeMessage> {
  const window = BrowserWindow.fromWebContents(event.sender);
  const format = EXPORT_FORMAT_CATALOGUE[request.format];
  const options = { title: `Export the ${exportSubject(request)} (${format.label})`, defaultPath: exportName(request), buttonLabel: 'Export' };
  const choice = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  if (choice.canceled || !choice.filePath) return refuse({ kind: 'input', error: 'export cancelled' });
  return worker.call('exportModelTo', { ...request, destination: choice.filePath });
}
