import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { DEFAULT_SELECTION, queryOf, sameSelection, selectionOf, selectionParams, type CamQuery, type CamSelection } from '../logic/cam-selection.js';

/**
 * The explain selection (layer, method, target, focus settings) that Explain,
 * Review, Compare and reports share. The address holds it: App.vue applies the
 * route's to the store, the views write changes back with replaceRoute, and
 * links between the views carry `query`.
 */
export const useSelectionStore = defineStore('selection', () => {
  const selection = ref<CamSelection>(selectionOf({}));
  const query = computed<CamQuery>(() => queryOf(selection.value));
  const params = computed(() => selectionParams(selection.value));
  /** Changes whenever the selection does: views reload on it. */
  const key = computed(() => JSON.stringify(query.value));

  /** An address's selection: what it names, defaults for the rest. Without one, the current selection stays. */
  function apply(q: CamQuery | undefined): void {
    if (!q) return;
    const next = selectionOf(q);
    if (!sameSelection(next, selection.value)) selection.value = next;
  }

  /** Changes part of the selection (a setting patch is merged into the current settings). */
  function set(patch: CamQuery): void {
    const next: CamSelection = {
      layers: patch.layers ? [...patch.layers] : selection.value.layers,
      method: patch.method ?? selection.value.method,
      target: patch.target ?? selection.value.target,
      settings: { ...selection.value.settings, ...patch.settings },
    };
    if (!sameSelection(next, selection.value)) selection.value = next;
  }

  function reset(): void {
    selection.value = selectionOf({});
  }

  return { selection, query, params, key, apply, set, reset, defaults: DEFAULT_SELECTION };
});
