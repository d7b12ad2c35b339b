import type { ApiEvent, Request, Response } from '../../../shared/api.js';
import { ApiCallError } from './errors.js';
import type { Transport } from './rpc.js';

/**
 * A WebSocket reduced to what this transport uses, so the browser's socket and
 * the `ws` package's (in tests) plug in through a three-line adapter.
 */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  listen(handlers: { open(): void; close(): void; message(data: unknown): void }): void;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WebSocketTransportOptions {
  url: string;
  create: (url: string) => SocketLike;
  /** First reconnect delay; it doubles up to maxReconnectMs. */
  reconnectMs?: number;
  maxReconnectMs?: number;
}

export interface WebSocketTransport extends Transport {
  state(): ConnectionState;
  onState(listener: (s: ConnectionState) => void): () => void;
  /** Stops reconnecting and fails pending calls. */
  close(): void;
}

const OPEN = 1;

/**
 * Requests made while connecting wait for the socket; a dropped socket (or a
 * failed attempt to reconnect) fails every call not yet answered, so none is
 * silently lost or replayed later, and the transport keeps reconnecting.
 */
export function createWebSocketTransport(opts: WebSocketTransportOptions): WebSocketTransport {
  const pending = new Map<number, { resolve: (r: Response) => void; reject: (e: Error) => void; method: string }>();
  const queued: string[] = [];
  const eventListeners = new Set<(e: ApiEvent) => void>();
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const firstDelay = opts.reconnectMs ?? 500;
  const maxDelay = opts.maxReconnectMs ?? 10_000;
  let delay = firstDelay;
  let state: ConnectionState = 'connecting';
  let stopped = false;
  let socket: SocketLike;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const setState = (s: ConnectionState) => {
    if (s === state) return;
    state = s;
    for (const l of stateListeners) l(s);
  };

  // A failed call must not run later: its queued text goes with it.
  const failPending = (why: string) => {
    const calls = [...pending.values()];
    pending.clear();
    queued.length = 0;
    for (const p of calls) p.reject(new ApiCallError('transport', why, p.method));
  };

  const onMessage = (data: unknown) => {
    if (typeof data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    if ('event' in msg) {
      for (const l of eventListeners) l((msg as { event: ApiEvent }).event);
      return;
    }
    const res = msg as Response;
    if (typeof res.id !== 'number') return;
    const p = pending.get(res.id);
    if (!p) return;
    pending.delete(res.id);
    p.resolve(res);
  };

  const connect = () => {
    setState('connecting');
    socket = opts.create(opts.url);
    socket.listen({
      open() {
        delay = firstDelay;
        setState('open');
        while (queued.length > 0 && socket.readyState === OPEN) socket.send(queued.shift() as string);
      },
      message: onMessage,
      close() {
        failPending('the connection closed before the answer arrived');
        setState('closed');
        if (stopped) return;
        timer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, maxDelay);
      },
    });
  };
  connect();

  return {
    request(req: Request): Promise<Response> {
      if (stopped) return Promise.reject(new ApiCallError('transport', 'the client is closed', req.method));
      return new Promise<Response>((resolve, reject) => {
        pending.set(req.id, { resolve, reject, method: req.method });
        const text = JSON.stringify(req);
        if (socket.readyState === OPEN) socket.send(text);
        else queued.push(text);
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => void eventListeners.delete(listener);
    },
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    close() {
      stopped = true;
      clearTimeout(timer);
      socket.close();
      failPending('the client is closed');
    },
  };
}
