import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { ExplanationSettings, FlagItem, FlagList, JobInfo, RunSummary, SampleImages } from '../../../shared/api.js';
import { camLayers } from '../../../shared/config.js';
import type { ReviewDecision } from '../../../shared/explain.js';
import { describeError } from '../api/errors.js';
import { useApi } from './api.js';
import { useSelectionStore } from './selection.js';

export interface ReviewFilters {
  minRatio: number;
  maxRatio: number;
  /** null: every digit. */
  digit: number | null;
  /** Only samples flagged at >= min of the last `of` explained epochs; null: every flag. */
  stable: { min: number; of: number } | null;
}

interface UndoEntry {
  index: number;
  decision: ReviewDecision | null;
  note: string;
}

/** Images are fetched for what is on screen, in chunks the contract allows. */
const IMAGE_CHUNK = 128;

/**
 * The Review view: flagged samples of one epoch sorted by off-digit ratio,
 * decided with the keyboard, with an undo stack of the decisions made here.
 */
export const useReviewStore = defineStore('review', () => {
  const api = useApi();
  const id = ref<number | null>(null);
  const epoch = ref<number | null>(null);
  const filters = ref<ReviewFilters>({ minRatio: 0, maxRatio: 1, digit: null, stable: null });
  const list = shallowRef<FlagList | null>(null);
  const items = ref<FlagItem[]>([]);
  const cursor = ref(0);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const saveError = ref<string | null>(null);
  const undoStack = ref<UndoEntry[]>([]);
  const images = shallowRef<Record<number, SampleImages>>({});
  const retraining = ref(false);
  const retrainError = ref<string | null>(null);
  const runEpochs = ref<number[]>([]);
  const job = shallowRef<JobInfo | null>(null);
  const jobError = ref<string | null>(null);
  const inFlight = new Set<number>();
  const selection = useSelectionStore();
  /** The settings this run has explanations for, to offer them. */
  const explained = shallowRef<ExplanationSettings[]>([]);
  const availableLayers = shallowRef<{ name: string; size: number }[]>([]);
  let seq = 0;

  api.onEvent((e) => {
    if (e.type !== 'job' || e.job.runId !== id.value || e.job.kind !== 'explain') return;
    const wasRunning = job.value?.status === 'running';
    job.value = e.job;
    if (wasRunning && e.job.status !== 'running') void reload();
  });

  const counts = computed(() => {
    let confirmed = 0;
    let dismissed = 0;
    for (const i of items.value) {
      if (i.review === 'confirmed') confirmed++;
      else if (i.review === 'dismissed') dismissed++;
    }
    return { shown: items.value.length, confirmed, dismissed, pending: items.value.length - confirmed - dismissed };
  });
  const current = computed(() => items.value[cursor.value] ?? null);
  const digits = computed(() => [...new Set(items.value.map((i) => i.digit).filter((d): d is number => d !== null))].sort((a, b) => a - b));

  async function reload(): Promise<void> {
    if (id.value === null) return;
    const mine = ++seq;
    loading.value = true;
    const f = filters.value;
    try {
      const runId = id.value;
      const [l, x] = await Promise.all([api.call('listFlags', {
        id: runId,
        ...selection.params,
        ...(epoch.value !== null ? { epoch: epoch.value } : {}),
        flaggedOnly: true,
        ...(f.minRatio > 0 ? { minRatio: f.minRatio } : {}),
        ...(f.maxRatio < 1 ? { maxRatio: f.maxRatio } : {}),
        ...(f.digit !== null ? { digit: f.digit } : {}),
        ...(f.stable !== null ? { stable: f.stable } : {}),
      }), api.call('listExplanationSettings', { id: runId })]);
      if (mine !== seq) return;
      list.value = l;
      explained.value = x;
      items.value = [...l.items].sort((a, b) => (b.ratio ?? -1) - (a.ratio ?? -1));
      // No epoch chosen: the router picked the latest explained one; with none, offer the latest trained one.
      if (epoch.value === null) epoch.value = l.epoch ?? runEpochs.value[runEpochs.value.length - 1] ?? null;
      cursor.value = Math.min(cursor.value, Math.max(0, items.value.length - 1));
      error.value = null;
    } catch (err) {
      if (mine !== seq) return;
      error.value = describeError(err);
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  async function open(runId: number, ep?: number): Promise<void> {
    id.value = runId;
    epoch.value = ep ?? null;
    list.value = null;
    items.value = [];
    images.value = {};
    inFlight.clear();
    undoStack.value = [];
    cursor.value = 0;
    job.value = null;
    jobError.value = null;
    try {
      const run = await api.call('getRun', { id: runId });
      runEpochs.value = run.epochs.map((e) => e.epoch);
      availableLayers.value = camLayers(run.config.arch);
      if (ep === undefined) epoch.value = await bestEpoch(runId);
    } catch (err) {
      error.value = describeError(err);
      return;
    }
    await reload();
  }

  /** The best epoch under the current selection: the confirmed one, else the recommended one, else none (the router picks). */
  async function bestEpoch(runId: number): Promise<number | null> {
    const f = await api.call('getFocusSummary', { id: runId, ...selection.params });
    const best = f.confirmed?.confirmed ?? f.recommendation.epoch;
    return best !== null && runEpochs.value.includes(best) ? best : null;
  }

  watch(
    () => selection.key,
    () => {
      images.value = {};
      inFlight.clear();
      cursor.value = 0;
      void reload();
    },
  );

  function setFilters(patch: Partial<ReviewFilters>): Promise<void> {
    filters.value = { ...filters.value, ...patch };
    cursor.value = 0;
    return reload();
  }

  /** Loads the images (and CAMs) of these samples unless already loaded or loading. */
  async function loadImages(indices: number[]): Promise<void> {
    if (id.value === null) return;
    const want = indices.filter((i) => !images.value[i] && !inFlight.has(i));
    for (let k = 0; k < want.length; k += IMAGE_CHUNK) {
      const chunk = want.slice(k, k + IMAGE_CHUNK);
      chunk.forEach((i) => inFlight.add(i));
      const runId: number = id.value;
      try {
        const got = await api.call('getSamples', { id: runId, indices: chunk, ...selection.params, ...(epoch.value !== null ? { epoch: epoch.value } : {}) });
        if (runId !== id.value) return;
        const next = { ...images.value };
        for (const s of got) next[s.index] = s;
        images.value = next;
      } catch {
        // A missing image leaves its cell with the numbers only; the review still works.
      } finally {
        chunk.forEach((i) => inFlight.delete(i));
      }
    }
  }

  function patchItem(index: number, patch: Partial<FlagItem>): void {
    items.value = items.value.map((i) => (i.index === index ? { ...i, ...patch } : i));
  }

  async function save(index: number, decision: ReviewDecision | null | undefined, note?: string): Promise<boolean> {
    if (id.value === null) return false;
    try {
      const r = await api.call('reviewSample', { id: id.value, index, ...(decision !== undefined ? { decision } : {}), ...(note !== undefined ? { note } : {}) });
      patchItem(index, { review: r.decision, note: r.note });
      saveError.value = null;
      return true;
    } catch (err) {
      saveError.value = describeError(err);
      return false;
    }
  }

  /**
   * Decides the sample under the cursor (or `index`) and moves on to the next one.
   * Deciding never toggles: C on a confirmed sample keeps it confirmed (U undoes),
   * so a key pressed twice cannot silently lose a review.
   */
  async function decide(decision: ReviewDecision, index = current.value?.index): Promise<void> {
    const item = items.value.find((i) => i.index === index);
    if (!item) return;
    const before: UndoEntry = { index: item.index, decision: item.review, note: item.note };
    const changed = item.review !== decision;
    patchItem(item.index, { review: decision });
    if (await save(item.index, decision)) {
      if (changed) undoStack.value = [...undoStack.value, before];
      const pos = items.value.findIndex((i) => i.index === item.index);
      if (pos === cursor.value && cursor.value < items.value.length - 1) cursor.value++;
    } else {
      patchItem(item.index, { review: before.decision });
    }
  }

  async function undo(): Promise<void> {
    const last = undoStack.value[undoStack.value.length - 1];
    if (!last) return;
    if (await save(last.index, last.decision, last.note)) {
      undoStack.value = undoStack.value.slice(0, -1);
      const pos = items.value.findIndex((i) => i.index === last.index);
      if (pos >= 0) cursor.value = pos;
    }
  }

  function setNote(index: number, note: string): Promise<boolean> {
    const item = items.value.find((i) => i.index === index);
    if (!item || item.note === note) return Promise.resolve(true);
    const before: UndoEntry = { index, decision: item.review, note: item.note };
    return save(index, undefined, note).then((ok) => {
      if (ok) undoStack.value = [...undoStack.value, before];
      return ok;
    });
  }

  /** Computes focus for the whole training set at the chosen epoch (long work: progress arrives as job events). */
  async function explainTrainingSet(): Promise<void> {
    if (id.value === null || epoch.value === null) return;
    jobError.value = null;
    try {
      job.value = await api.call('explain', { id: id.value, epochs: [epoch.value], samples: 'train', ...selection.params });
    } catch (err) {
      jobError.value = describeError(err);
    }
  }

  async function excludeAndRetrain(name?: string): Promise<RunSummary | null> {
    if (id.value === null) return null;
    retraining.value = true;
    retrainError.value = null;
    try {
      return await api.call('excludeAndRetrain', {
        ...selection.params,
        id: id.value,
        confirmedOnly: true,
        start: true,
        ...(epoch.value !== null ? { epoch: epoch.value } : {}),
        ...(name ? { name } : {}),
      });
    } catch (err) {
      retrainError.value = describeError(err);
      return null;
    } finally {
      retraining.value = false;
    }
  }

  return {
    id,
    epoch,
    filters,
    list,
    items,
    cursor,
    current,
    counts,
    digits,
    loading,
    error,
    saveError,
    undoStack,
    images,
    retraining,
    retrainError,
    runEpochs,
    job,
    jobError,
    explained,
    availableLayers,
    open,
    explainTrainingSet,
    reload,
    setFilters,
    loadImages,
    decide,
    undo,
    setNote,
    excludeAndRetrain,
    setEpoch: (e: number) => {
      epoch.value = e;
      images.value = {};
      cursor.value = 0;
      return reload();
    },
  };
});
