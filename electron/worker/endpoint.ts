import type { DistillService } from '../contract/api';
import { WorkerRequestSchema, type WorkerMessage } from '../contract/worker-protocol';
import { dispatchCall } from '../service/dispatch';

/** The part of Electron's process.parentPort (a MessagePortMain) the worker uses. */
export interface ParentPortLike {
  on(event: 'message', listener: (message: { data: unknown }) => void): void;
  postMessage(message: WorkerMessage): void;
}

/** Answers main's calls with the service; a malformed message is answered, never thrown. */
export function serveOnPort(port: ParentPortLike, service: DistillService): void {
  port.on('message', ({ data }) => {
    const request = WorkerRequestSchema.safeParse(data);
    if (!request.success) return;
    void dispatchCall(service, request.data.method, request.data.payload).then((outcome) =>
      port.postMessage({ kind: 'reply', id: request.data.id, outcome }),
    );
  });
  port.postMessage({ kind: 'ready' });
}
