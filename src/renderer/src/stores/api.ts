import { inject, type InjectionKey } from 'vue';
import type { ApiClient } from '../../../shared/api.js';

export const API_KEY: InjectionKey<ApiClient> = Symbol('gan-focus api');

/** The client the app provided; setup stores run in the app's context, so inject works there. */
export function useApi(): ApiClient {
  const client = inject(API_KEY, null);
  if (!client) throw new Error('no API client: call app.provide(API_KEY, client) before using a store');
  return client;
}
