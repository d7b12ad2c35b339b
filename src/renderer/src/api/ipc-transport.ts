import type { GanFocusBridge } from '../../../shared/api.js';
import type { Transport } from './rpc.js';

/** Electron: the preload bridge already speaks Request/Response. */
export function createIpcTransport(bridge: GanFocusBridge): Transport {
  return {
    request: (req) => bridge.call(req),
    onEvent: (listener) => bridge.onEvent(listener),
  };
}
