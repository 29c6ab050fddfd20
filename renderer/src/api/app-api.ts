import type { ApiEvent, BridgeMethods, DatasetView, TeacherView } from '../../../electron/contract/api';

/**
 * The one object the screens talk to. Each host (the Electron preload, a browser talking to
 * `distill serve`) provides it; what differs between them (paths or uploads, a save dialog or a
 * download) lives in the host's bridge file, never in a screen.
 */
export type AppApi = BridgeMethods & {
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /**
   * Events may have been lost: the browser's event socket dropped and is open again. (The desktop
   * host's channel to its window does not drop: it never calls the listener.)
   */
  onEventsResumed(listener: () => void): () => void;
  /** Files and folders dropped on the window. */
  importDropped(transfer: DataTransfer, progress?: ImportProgress): Promise<DatasetView>;
  /** Files picked with a file or folder input. */
  importPicked(files: File[], progress?: ImportProgress): Promise<DatasetView>;
  /** A teacher folder (model.json and its weights) dropped or picked on the Models screen. */
  importTeacherDropped(transfer: DataTransfer, progress?: ImportProgress): Promise<TeacherView>;
  importTeacherPicked(files: File[], progress?: ImportProgress): Promise<TeacherView>;
};

/**
 * How a long import reports and stops. A browser uploads the files one by one (a folder of
 * images can be tens of thousands); the desktop host passes paths, so it has nothing to report.
 */
export interface ImportProgress {
  onProgress(sent: { files: number; totalFiles: number; bytes: number; totalBytes: number }): void;
  /** Aborting stops the upload; the server drops what arrived, and the import rejects with ImportCancelled. */
  signal: AbortSignal;
}

/** The rejection of an import its person cancelled: not an error to show. */
export class ImportCancelled extends Error {
  constructor() {
    super('import cancelled');
  }
}
