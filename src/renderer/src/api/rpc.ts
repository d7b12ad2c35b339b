import type { ApiClient, ApiEvent, ErrorCode, MethodName, ParamsOf, Request, Response, ResultOf } from '../../../shared/api.js';
import { ApiCallError } from './errors.js';

/** How requests travel: a WebSocket in web mode, the preload bridge in Electron. */
export interface Transport {
  request(req: Request): Promise<Response>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

/** The typed client over any transport: numbers requests and turns error replies into ApiCallError. */
export function createClient(transport: Transport): ApiClient {
  let nextId = 1;
  return {
    async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
      const res = await transport.request({ id: nextId++, method, params });
      if (res.ok) return res.result as ResultOf<M>;
      throw new ApiCallError(res.error.code as ErrorCode, res.error.message, method);
    },
    onEvent: (listener) => transport.onEvent(listener),
  };
}
