import type { ApiEvent, BridgeMethods, DatasetView, TeacherView } from '../../../electron/contract/api';

/**
 * The one object the screens talk to. Each host (the Electron preload, a browser talking to
 * `distill serve`) provides it; what differs between them (paths or uploads, a save dialog or a
 * download) lives in the host's bridge file, never in a screen.
 */
export type AppApi = BridgeMethods & {
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** Files and folders dropped on the window. */
  importDropped(transfer: DataTransfer): Promise<DatasetView>;
  /** Files picked with a file or folder input. */
  importPicked(files: File[]): Promise<DatasetView>;
  /** A teacher folder (model.json and its weights) dropped or picked on the Models screen. */
  importTeacherDropped(transfer: DataTransfer): Promise<TeacherView>;
  importTeacherPicked(files: File[]): Promise<TeacherView>;
};
