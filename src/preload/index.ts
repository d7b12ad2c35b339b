import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, GanFocusBridge, Request, Response } from '../shared/api.js';

// The renderer's only door to the app: the wire format of the API, nothing
// else (no ipcRenderer, no Node). Validation happens in main, at dispatch.
const bridge: GanFocusBridge = {
  async call(msg: Request): Promise<Response> {
    try {
      return (await ipcRenderer.invoke('api:call', msg)) as Response;
    } catch (err) {
      // Only an uncloneable message gets here; answer like a bad request would be.
      return { id: null, ok: false, error: { code: 'bad_request', message: `message could not be sent: ${(err as Error).message}` } };
    }
  },
  onEvent(listener: (e: ApiEvent) => void): () => void {
    const handler = (_e: IpcRendererEvent, event: ApiEvent) => listener(event);
    ipcRenderer.on('api:event', handler);
    return () => {
      ipcRenderer.removeListener('api:event', handler);
    };
  },
};

contextBridge.exposeInMainWorld('ganFocus', bridge);
