import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import type { EpochEstimate, RunSummary } from '../../../shared/api.js';
import { PRESETS, type PresetName, type RunConfig } from '../../../shared/config.js';
import { ApiCallError, describeError } from '../api/errors.js';
import { validateConfig } from '../logic/form.js';
import { useApi } from './api.js';

/** Config fields as typed: numbers may hold what the user typed until it validates. */
export type Draft = Record<string, unknown>;

const ESTIMATE_DELAY_MS = 400;

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** The New-run form: a draft config checked against the shared schema, presets, and an epoch-time estimate. */
export const useNewRunStore = defineStore('newRun', () => {
  const api = useApi();
  const presets = shallowRef<Record<PresetName, RunConfig> | null>(null);
  const preset = ref<PresetName | 'custom'>('quick');
  const draft = ref<Draft>({});
  const name = ref('');
  const tags = ref<string[]>([]);
  const touched = ref(false);
  const loadError = ref<string | null>(null);
  const submitting = ref(false);
  const submitError = ref<string | null>(null);
  const estimate = shallowRef<EpochEstimate | null>(null);
  const estimating = ref(false);
  const estimateError = ref<string | null>(null);
  /** Why the router refuses to create this config (e.g. fewer images than one batch); creating is disabled while set. */
  const refusal = ref<string | null>(null);
  let estimateSeq = 0;
  let estimateTimer: ReturnType<typeof setTimeout> | undefined;

  const validation = computed(() => validateConfig(draft.value));
  const issues = computed<Record<string, string[]>>(() => (validation.value.ok ? {} : validation.value.byField));
  const valid = computed(() => validation.value.ok);

  async function init(from?: number): Promise<void> {
    loadError.value = null;
    submitError.value = null;
    touched.value = false;
    try {
      presets.value ??= await api.call('presets', {});
      if (from !== undefined) {
        const src = await api.call('getRun', { id: from });
        draft.value = clone(src.config) as Draft;
        name.value = `${src.name} (copy)`;
        tags.value = [...src.tags];
        preset.value = 'custom';
      } else {
        applyPreset('quick');
        name.value = '';
        tags.value = [];
      }
    } catch (err) {
      loadError.value = describeError(err);
    }
  }

  function applyPreset(p: PresetName): void {
    if (!presets.value) return;
    preset.value = p;
    draft.value = clone(presets.value[p]) as Draft;
  }

  function setField(key: string, value: unknown): void {
    touched.value = true;
    draft.value = { ...draft.value, [key]: value };
    if (presets.value && preset.value !== 'custom') {
      const same = JSON.stringify(presets.value[preset.value]) === JSON.stringify(draft.value);
      if (!same) preset.value = 'custom';
    }
  }

  async function runEstimate(): Promise<void> {
    const v = validation.value;
    if (!v.ok) return;
    const seq = ++estimateSeq;
    estimating.value = true;
    try {
      const e = await api.call('estimateEpoch', { config: v.config });
      if (seq === estimateSeq) {
        estimate.value = e;
        estimateError.value = null;
        refusal.value = null;
      }
    } catch (err) {
      if (seq !== estimateSeq) return;
      // The router checks the config before timing it: bad_request is the config, anything else the timing.
      if (err instanceof ApiCallError && err.code === 'bad_request') {
        refusal.value = describeError(err);
        estimate.value = null;
        estimateError.value = null;
      } else {
        estimateError.value = describeError(err);
      }
    } finally {
      if (seq === estimateSeq) estimating.value = false;
    }
  }

  // Re-estimate after the user pauses typing; a stale answer never overwrites a newer one.
  watch(
    draft,
    () => {
      clearTimeout(estimateTimer);
      // A changed config may be fine: the next answer says (the router refuses it at creation regardless).
      refusal.value = null;
      if (!validation.value.ok) return;
      estimateTimer = setTimeout(() => void runEstimate(), ESTIMATE_DELAY_MS);
    },
    { deep: true },
  );
  onScopeDispose(() => clearTimeout(estimateTimer));

  async function create(start: boolean): Promise<RunSummary | null> {
    touched.value = true;
    const v = validation.value;
    if (!v.ok) return null;
    submitting.value = true;
    submitError.value = null;
    try {
      const trimmed = name.value.trim();
      return await api.call('createRun', { config: v.config, start, ...(trimmed ? { name: trimmed } : {}), ...(tags.value.length ? { tags: tags.value } : {}) });
    } catch (err) {
      submitError.value = describeError(err);
      return null;
    } finally {
      submitting.value = false;
    }
  }

  return {
    presetNames: PRESETS,
    presets,
    preset,
    draft,
    name,
    tags,
    touched,
    issues,
    valid,
    loadError,
    submitting,
    submitError,
    estimate,
    estimating,
    estimateError,
    refusal,
    init,
    applyPreset,
    setField,
    runEstimate,
    create,
  };
});
