// The only bridge between the sandboxed page and the app: one typed object on window.distill.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { API, ApiEventSchema, bridgeMethods, RENDERER_HOST_METHODS, type ApiMethod, type ApiRequest, type ApiResponse, type DistillBridge } from '../contract/api';
import { CallOutcomeSchema, IPC_EVENT_CHANNEL, ipcChannel } from '../contract/worker-protocol';

async function invoke<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>> {
  const outcome = CallOutcomeSchema.parse(await ipcRenderer.invoke(ipcChannel(method), request));
  if (!outcome.ok) throw new Error(outcome.error.error);
  return API[method].response.parse(outcome.value) as ApiResponse<M>;
}

/** A desktop-only operation on dropped files, as paths; main checks the sender and the payload again. */
async function invokeHost(method: (typeof RENDERER_HOST_METHODS)[number], files: File[]): Promise<unknown> {
  const paths = files.map((file) => webUtils.getPathForFile(file));
  const outcome = CallOutcomeSchema.parse(await ipcRenderer.invoke(ipcChannel(method), { paths }));
  if (!outcome.ok) throw new Error(outcome.error.error);
  return outcome.value;
}

const bridge: DistillBridge = {
  // exportModel among them: main answers it with a save dialog and the worker writes the file.
  ...bridgeMethods(invoke),
  onEvent(listener) {
    const handler = (_event: Electron.IpcRendererEvent, payload: unknown) => {
      const parsed = ApiEventSchema.safeParse(payload);
      if (parsed.success) listener(parsed.data);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => void ipcRenderer.off(IPC_EVENT_CHANNEL, handler);
  },
  // Dropped files become paths here (webUtils); main and the worker check them again.
  importFiles: async (files) => API.importDataset.response.parse(await invokeHost('importDatasetPaths', files)),
  importTeacherFiles: async (files) => API.importTeacher.response.parse(await invokeHost('importTeacherPaths', files)),
};

contextBridge.exposeInMainWorld('distill', bridge);
