import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { createApp, watch } from 'vue';
import { dispatch } from '../../../src/main/api/dispatch.js';
import { createRouter, type Router } from '../../../src/main/api/router.js';
import type { ApiClient } from '../../../src/shared/api.js';
import { presetConfig, type RunConfig } from '../../../src/shared/config.js';
import { createClient } from '../../../src/renderer/src/api/rpc.js';
import { API_KEY } from '../../../src/renderer/src/stores/api.js';

/** Small enough to train an epoch in seconds on a CPU, with the paper's architecture. */
export const TINY: RunConfig = { ...presetConfig('quick'), arch: 'paper' as const, limit: 128, ngf: 8, ndf: 8, batchSize: 32, epochs: 1 };

export interface Workbench {
  router: Router;
  client: ApiClient;
  home: string;
  close(): void;
}

/**
 * The real router on a temporary home, reached through the same client the
 * renderer uses; every message crosses as JSON text through `dispatch`, as it
 * does over the WebSocket.
 */
export function openWorkbench(): Workbench {
  const home = mkdtempSync(join(tmpdir(), 'gan-focus-ui-'));
  const router = createRouter({ home });
  const client = createClient({
    request: async (req) => JSON.parse(JSON.stringify(await dispatch(router, JSON.stringify(req)))),
    onEvent: (listener) => router.onEvent((e) => listener(JSON.parse(JSON.stringify(e)))),
  });
  return {
    router,
    client,
    home,
    close() {
      router.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A fresh Pinia in an app that provides the client, as main.ts does; dispose it to stop the stores' timers. */
export function useStoresWith(client: ApiClient): Pinia {
  const app = createApp({});
  app.provide(API_KEY, client);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return pinia;
}

/** Resolves once `check` (reading store state) holds; re-evaluated on every change of that state, never on a timer. */
export function eventually(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const stop = watch(check, (ok) => {
      if (!ok) return;
      queueMicrotask(() => stop());
      resolve();
    }, { immediate: true });
  });
}
