import { API, ApiEventSchema, bridgeMethods, type ApiEvent, type ApiMethod, type ApiRequest, type ApiResponse } from '../../../electron/contract/api';
import { ImportCancelled, type AppApi, type ImportProgress } from './app-api';
import { droppedFiles } from './dropped-files';

const TOKEN_KEY = 'distill-token';

/** The token arrives once in the URL `distill serve` printed; keep it for this tab and hide it. */
function takeToken(): string {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return fromUrl ?? sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Where each picked file sits in its folder (a folder input), or its name. */
const pickedPaths = (files: File[]) => files.map((file) => file.webkitRelativePath || file.name);

/** The browser host: the contract over fetch and one WebSocket, validated on arrival. */
export function createBrowserApi(): AppApi {
  const token = takeToken();
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
  const listeners = new Set<(event: ApiEvent) => void>();

  async function call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>> {
    const response = await fetch(`/api/call/${method}`, { method: 'POST', headers, body: JSON.stringify(request) });
    const body: unknown = await response.json().catch(() => ({ error: `${method}: HTTP ${response.status}` }));
    if (!response.ok) throw new Error((body as { error?: string }).error ?? `${method}: HTTP ${response.status}`);
    return API[method].response.parse(body) as ApiResponse<M>;
  }

  const resumedListeners = new Set<() => void>();
  let socket: WebSocket | null = null;
  let opened = false;
  const connect = () => {
    socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events?token=${encodeURIComponent(token)}`);
    socket.onopen = () => {
      // Open again after a drop: what was sent in between is lost.
      if (opened) for (const listener of resumedListeners) listener();
      opened = true;
    };
    socket.onmessage = (message) => {
      const parsed = ApiEventSchema.safeParse(JSON.parse(String(message.data)));
      if (parsed.success) for (const listener of listeners) listener(parsed.data);
    };
    socket.onclose = () => setTimeout(connect, 1000);
  };
  connect();

  /** Uploads files under one id (keeping a folder's layout in `relativePaths`); returns the id. */
  async function upload(files: File[], relativePaths: string[], progress?: ImportProgress) {
    const uploadId = randomHex(8);
    const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
    let bytes = 0;
    progress?.onProgress({ files: 0, totalFiles: files.length, bytes, totalBytes });
    try {
      for (const [i, file] of files.entries()) {
        if (progress?.signal.aborted) throw new ImportCancelled();
        const name = relativePaths[i] || file.webkitRelativePath || file.name;
        const response = await fetch(`/api/upload?id=${uploadId}&name=${encodeURIComponent(name)}`, { method: 'POST', headers: { Authorization: headers.Authorization }, body: file, signal: progress?.signal });
        if (!response.ok) throw new Error(((await response.json().catch(() => ({}))) as { error?: string }).error ?? `upload of ${file.name} failed`);
        bytes += file.size;
        progress?.onProgress({ files: i + 1, totalFiles: files.length, bytes, totalBytes });
      }
    } catch (error) {
      if (!progress?.signal.aborted) throw error;
      // What arrived of a cancelled upload is dropped now, not at the server's next start.
      void fetch(`/api/upload?id=${uploadId}`, { method: 'DELETE', headers: { Authorization: headers.Authorization } }).catch(() => undefined);
      throw new ImportCancelled();
    }
    return { kind: 'upload' as const, uploadId };
  }

  return {
    ...bridgeMethods(call),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onEventsResumed(listener) {
      resumedListeners.add(listener);
      return () => resumedListeners.delete(listener);
    },
    // A browser hands dropped folders over as entries: walk them so the upload keeps the layout.
    async importDropped(transfer, progress) {
      const { files, paths } = await droppedFiles(transfer);
      return call('importDataset', { source: await upload(files, paths, progress) });
    },
    importPicked: async (files, progress) => call('importDataset', { source: await upload(files, pickedPaths(files), progress) }),
    async importTeacherDropped(transfer, progress) {
      const { files, paths } = await droppedFiles(transfer);
      return call('importTeacher', { source: await upload(files, paths, progress) });
    },
    importTeacherPicked: async (files, progress) => call('importTeacher', { source: await upload(files, pickedPaths(files), progress) }),
    /** The server writes the export; the browser downloads it from the URL the call returned. */
    async exportModel(request) {
      const result = await call('exportModel', request);
      if (result.downloadUrl) {
        const link = document.createElement('a');
        link.href = result.downloadUrl;
        link.download = result.fileName;
        document.body.append(link);
        link.click();
        link.remove();
      }
      return result;
    },
  };
}
