import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

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

  /** system -> light -> dark -> system. */
  function cycleTheme(): void {
    theme.value = THEMES[(THEMES.indexOf(theme.value) + 1) % THEMES.length];
  }

  return { theme, systemDark, effectiveTheme, setTheme, cycleTheme };
});
