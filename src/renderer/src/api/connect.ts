import type { InjectionKey } from 'vue';
import type { ApiClient, GanFocusBridge } from '../../../shared/api.js';
import { createIpcTransport } from './ipc-transport.js';
import { createClient } from './rpc.js';
import { createWebSocketTransport, type ConnectionState, type SocketLike } from './ws-transport.js';

export interface Connection {
  client: ApiClient;
  mode: 'electron' | 'web';
  /** Web mode reconnects after a dropped socket; Electron IPC is always open. */
  onState(listener: (s: ConnectionState) => void): () => void;
}

export const CONNECTION_KEY: InjectionKey<Connection> = Symbol('gan-focus connection');

declare global {
  interface Window {
    ganFocus?: GanFocusBridge;
  }
}

function browserSocket(url: string): SocketLike {
  const ws = new WebSocket(url);
  return {
    get readyState() {
      return ws.readyState;
    },
    send: (d) => ws.send(d),
    close: () => ws.close(),
    listen(h) {
      ws.onopen = () => h.open();
      ws.onclose = () => h.close();
      ws.onmessage = (e) => h.message(e.data);
    },
  };
}

/** Electron's preload bridge when present, else the WebSocket of `gan-focus serve`. */
export function connect(win: Window): Connection {
  if (win.ganFocus) {
    return { client: createClient(createIpcTransport(win.ganFocus)), mode: 'electron', onState: () => () => undefined };
  }
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  const token = new URLSearchParams(win.location.search).get('token');
  const url = `${scheme}://${win.location.host}/api${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const transport = createWebSocketTransport({ url, create: browserSocket });
  return { client: createClient(transport), mode: 'web', onState: (l) => transport.onState(l) };
}
