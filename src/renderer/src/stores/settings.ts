import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { SMOOTHING_DEFAULT } from '../../../shared/smoothing.js';

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEMES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/**
 * Display settings. The store holds the choice only; main.ts applies it to
 * the document and keeps it in localStorage, so the store runs without a DOM.
 */
export const useSettingsStore = defineStore('settings', () => {
  const theme = ref<ThemeChoice>('system');
  const systemDark = ref(false);
  const effectiveTheme = computed<'light' | 'dark'>(() => (theme.value === 'system' ? (systemDark.value ? 'dark' : 'light') : theme.value));

  function setTheme(t: string): void {
    if ((THEMES as readonly string[]).includes(t)) theme.value = t as ThemeChoice;
  }

  /** The curves' EMA weight, one for every chart (as in TensorBoard); [0, 0.99] on the slider. */
  const smoothing = ref(SMOOTHING_DEFAULT);
  function setSmoothing(v: unknown): void {
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n === 'number' && Number.isFinite(n)) smoothing.value = Math.min(0.99, Math.max(0, Math.round(n * 100) / 100));
  }

  /** system -> light -> dark -> system. */
  function cycleTheme(): void {
    theme.value = THEMES[(THEMES.indexOf(theme.value) + 1) % THEMES.length];
  }

  return { theme, systemDark, effectiveTheme, setTheme, cycleTheme, smoothing, setSmoothing };
});
