import { API, ApiEventSchema, bridgeMethods, type ApiEvent, type ApiMethod, type ApiRequest, type ApiResponse } from '../../../electron/contract/api';
import type { AppApi } from './app-api';
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

  let socket: WebSocket | null = null;
  const connect = () => {
    socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events?token=${encodeURIComponent(token)}`);
    socket.onmessage = (message) => {
      const parsed = ApiEventSchema.safeParse(JSON.parse(String(message.data)));
      if (parsed.success) for (const listener of listeners) listener(parsed.data);
    };
    socket.onclose = () => setTimeout(connect, 1000);
  };
  connect();

  /** Uploads files under one id (keeping a folder's layout in `relativePaths`); returns the id. */
  async function upload(files: File[], relativePaths: string[]) {
    const uploadId = randomHex(8);
    for (const [i, file] of files.entries()) {
      const name = relativePaths[i] || file.webkitRelativePath || file.name;
      const response = await fetch(`/api/upload?id=${uploadId}&name=${encodeURIComponent(name)}`, { method: 'POST', headers: { Authorization: headers.Authorization }, body: file });
      if (!response.ok) throw new Error(((await response.json().catch(() => ({}))) as { error?: string }).error ?? `upload of ${file.name} failed`);
    }
    return { kind: 'upload' as const, uploadId };
  }

  return {
    ...bridgeMethods(call),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // A browser hands dropped folders over as entries: walk them so the upload keeps the layout.
    async importDropped(transfer) {
      const { files, paths } = await droppedFiles(transfer);
      return call('importDataset', { source: await upload(files, paths) });
    },
    importPicked: async (files) => call('importDataset', { source: await upload(files, files.map((file) => file.webkitRelativePath || file.name)) }),
    async importTeacherDropped(transfer) {
      const { files, paths } = await droppedFiles(transfer);
      return call('importTeacher', { source: await upload(files, paths) });
    },
    importTeacherPicked: async (files) => call('importTeacher', { source: await upload(files, files.map((file) => file.webkitRelativePath || file.name)) }),
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
