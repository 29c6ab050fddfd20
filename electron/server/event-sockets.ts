/** What broadcasting needs of a WebSocket (ws's, or a test's stand-in). */
export interface EventSocket {
  readonly bufferedAmount: number;
  send(text: string): void;
  terminate(): void;
}

/** Events are a few hundred bytes each: a client this far behind has stopped reading. */
export const MAX_EVENT_BACKLOG_BYTES = 16 << 20;

/**
 * The browsers listening for events. Each event goes to every socket; one whose unsent events pass
 * `maxBacklog` bytes is let go rather than buffered without end, since a client that stops reading
 * must not fill the server's memory. Its page reconnects, and reads its runs' ends from their folders.
 */
export class EventSockets<S extends EventSocket> {
  private readonly sockets = new Set<S>();

  constructor(private readonly maxBacklog = MAX_EVENT_BACKLOG_BYTES) {}

  add(socket: S): void {
    this.sockets.add(socket);
  }

  delete(socket: S): void {
    this.sockets.delete(socket);
  }

  broadcast(text: string): void {
    for (const socket of this.sockets) {
      if (socket.bufferedAmount > this.maxBacklog) {
        this.sockets.delete(socket);
        socket.terminate();
      } else socket.send(text);
    }
  }

  /** Every socket closed, at the server's end. */
  terminateAll(): void {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
  }
}
