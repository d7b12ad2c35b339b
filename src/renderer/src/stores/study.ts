import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ParamsOf } from '../../../shared/api.js';
import type { StudyDetail } from '../../../shared/study.js';
import { describeError } from '../api/errors.js';
import { useApi } from './api.js';

/** Studies: the one open in the Study view, and creating one (from Review). */
export const useStudyStore = defineStore('study', () => {
  const api = useApi();
  const id = ref<number | null>(null);
  const detail = shallowRef<StudyDetail | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const busy = ref(false);
  const actionError = ref<string | null>(null);
  let seq = 0;
  let pending: ReturnType<typeof setTimeout> | null = null;

  const runIds = computed(() => new Set(detail.value?.arms.flatMap((a) => a.runs.map((r) => r.id)) ?? []));

  // Epochs, run states and final estimates change the answer: fetch it again, at most twice a second.
  api.onEvent((e) => {
    if (id.value === null) return;
    const mine =
      (e.type === 'study' && e.studyId === id.value) ||
      (e.type === 'epochDone' && runIds.value.has(e.runId)) ||
      (e.type === 'runState' && runIds.value.has(e.run.id));
    if (!mine || pending) return;
    pending = setTimeout(() => {
      pending = null;
      void refresh();
    }, 500);
  });

  async function refresh(): Promise<void> {
    if (id.value === null) return;
    const mySeq = ++seq;
    try {
      const d = await api.call('getStudy', { id: id.value });
      if (mySeq === seq) {
        detail.value = d;
        error.value = null;
      }
    } catch (err) {
      if (mySeq === seq) error.value = describeError(err);
    }
  }

  async function load(studyId: number): Promise<void> {
    id.value = studyId;
    detail.value = null;
    loading.value = true;
    try {
      await refresh();
    } finally {
      loading.value = false;
    }
  }

  async function act(method: 'resumeStudy' | 'cancelStudy'): Promise<void> {
    if (id.value === null) return;
    busy.value = true;
    actionError.value = null;
    try {
      detail.value = await api.call(method, { id: id.value });
    } catch (err) {
      actionError.value = describeError(err);
    } finally {
      busy.value = false;
    }
  }

  /** Creates a study and starts it; null (with createError set) when refused. */
  const createError = ref<string | null>(null);
  async function create(params: ParamsOf<'createStudy'>): Promise<StudyDetail | null> {
    busy.value = true;
    createError.value = null;
    try {
      return await api.call('createStudy', { ...params, start: true });
    } catch (err) {
      createError.value = describeError(err);
      return null;
    } finally {
      busy.value = false;
    }
  }

  return {
    id,
    detail,
    loading,
    error,
    busy,
    actionError,
    createError,
    load,
    refresh,
    resume: () => act('resumeStudy'),
    cancel: () => act('cancelStudy'),
    create,
  };
});
