import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Tracks what could keep the server from closing: open sockets (keep-alive ones and those held
 * by a `timeout` fault) and latency timers. `closeAll()` ends them all at once.
 */
export class PendingWork {
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closing = false;

  /** Follows every socket the server accepts. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      if (this.closing) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Whether `closeAll()` has been called. */
  get isClosing(): boolean {
    return this.closing;
  }

  /** Waits `ms`; resolves `false` at once if the server closes meanwhile. */
  sleep(ms: number): Promise<boolean> {
    if (ms <= 0 || this.closing) return Promise.resolve(!this.closing);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve(true);
      }, ms);
      this.timers.set(timer, () => resolve(false));
    });
  }

  /** Cancels every timer and destroys every socket, held requests included. */
  closeAll(): void {
    this.closing = true;
    for (const [timer, cancel] of this.timers) {
      clearTimeout(timer);
      cancel();
    }
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}
