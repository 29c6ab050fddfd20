import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventSockets, MAX_EVENT_BACKLOG_BYTES, type EventSocket } from '../../electron/server/event-sockets';

/** A client whose unread bytes are whatever the test says. */
class FakeSocket implements EventSocket {
  bufferedAmount = 0;
  readonly received: string[] = [];
  terminated = false;
  send(text: string): void {
    this.received.push(text);
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe("distill serve's event sockets", () => {
  it('send every event to every client that reads, and let go of one that has stopped reading', () => {
    const sockets = new EventSockets<FakeSocket>(1000);
    const reading = new FakeSocket();
    const stalled = new FakeSocket();
    sockets.add(reading);
    sockets.add(stalled);
    sockets.broadcast('a');
    stalled.bufferedAmount = 1001;
    sockets.broadcast('b');
    sockets.broadcast('c');
    assert.deepEqual(reading.received, ['a', 'b', 'c']);
    assert.deepEqual(stalled.received, ['a'], 'nothing more is queued for a client that does not read');
    assert.ok(stalled.terminated && !reading.terminated);
  });

  it('keep a client just at the cap, forget a closed one, and close all at the end', () => {
    const sockets = new EventSockets<FakeSocket>();
    const atCap = new FakeSocket();
    atCap.bufferedAmount = MAX_EVENT_BACKLOG_BYTES;
    const closed = new FakeSocket();
    sockets.add(atCap);
    sockets.add(closed);
    sockets.delete(closed);
    sockets.broadcast('x');
    assert.deepEqual(atCap.received, ['x']);
    assert.deepEqual(closed.received, []);
    sockets.terminateAll();
    assert.ok(atCap.terminated && !closed.terminated);
  });
});
