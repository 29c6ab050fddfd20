import type { DistillService, HostService } from '../contract/api';
import { WorkerRequestSchema, type WorkerMessage } from '../contract/worker-protocol';
import { dispatchCall } from '../service/dispatch';

/** The part of Electron's process.parentPort (a MessagePortMain) the worker uses. */
export interface ParentPortLike {
  on(event: 'message', listener: (message: { data: unknown }) => void): void;
  postMessage(message: WorkerMessage): void;
}

/**
 * Answers main's calls with the service; a malformed message is answered, never thrown. Only
 * main talks to this port, so the desktop host's own operations (HOST_API) are open here.
 */
export function serveOnPort(port: ParentPortLike, service: DistillService & HostService): void {
  port.on('message', ({ data }) => {
    const request = WorkerRequestSchema.safeParse(data);
    if (!request.success) return;
    void dispatchCall(service, request.data.method, request.data.payload, 'host').then((outcome) =>
      port.postMessage({ kind: 'reply', id: request.data.id, outcome }),
    );
  });
  port.postMessage({ kind: 'ready' });
}
