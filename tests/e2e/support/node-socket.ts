import WebSocket from 'ws';
import type { SocketLike } from '../../../src/renderer/src/api/ws-transport.js';

/** The `ws` package's socket behind the renderer transport's SocketLike, for tests running in Node. */
export function nodeSocket(url: string, headers: Record<string, string> = {}): SocketLike {
  const ws = new WebSocket(url, { headers });
  ws.on('error', () => undefined);
  return {
    get readyState() {
      return ws.readyState;
    },
    send: (d) => ws.send(d),
    close: () => ws.close(),
    listen(h) {
      ws.on('open', () => h.open());
      ws.on('close', () => h.close());
      ws.on('message', (data, isBinary) => h.message(isBinary ? data : data.toString()));
    },
  };
}
